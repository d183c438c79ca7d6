import { dtypeOf } from '../dtypes/index.ts';
import { elementCount, opFor, outputsOf, type Problem, type TensorSpec } from '../ops/index.ts';
import type { WasmLaunch, WebgpuLaunch } from './launch.ts';

/** A kernel's load-time step as its family asks for it: the entry, the inputs it packs, the bytes their packed form takes. */
export interface PrepareRequest {
  readonly entry: string;
  readonly weights: readonly number[];
  readonly packedBytes: number;
}

/**
 * The kernel ABI, derived from the op's tensors: one buffer (WASM: a region
 * of the imported memory; WebGPU: a storage binding) per tensor, in the op's
 * declared order (inputs, then the outputs), each with its dtype. Shapes are
 * baked into the kernel text.
 */
export function abiTensors(problem: Problem): TensorSpec[] {
  const op = opFor(problem);
  return [...op.inputs(problem), ...outputsOf(op, problem)];
}

/** The launch field that says how many tensors are outputs: only when more than one, so single-output launches stay as they were stored. */
function outputCount(problem: Problem): { outputs?: number } {
  const count = outputsOf(opFor(problem), problem).length;
  return count > 1 ? { outputs: count } : {};
}

/** Bytes a tensor takes in a buffer, by its dtype (packed 4-bit types: half a byte each, rounded up). */
export function tensorBytes(t: TensorSpec): number {
  return dtypeOf(t.dtype).storageBytes(elementCount(t.dims));
}

const PAGE = 65536;
const ALIGN = 64;

/**
 * Every tensor at a 64-byte aligned offset (0 stays unused: a kernel writing
 * through a null pointer hits nothing we read), then a workspace for packing:
 * as large as the inputs unless the family asks for `workspaceBytes` (packing
 * may widen: int8 kernels pack B as i16, f16 storage converts to f32). The entry is named after the op.
 * With `prepare`, a region for the packed weights follows (see WasmPrepare).
 */
export function wasmLaunch(problem: Problem, workspaceBytes?: number, prepare?: PrepareRequest): WasmLaunch {
  let cursor = ALIGN;
  const place = (bytes: number) => {
    const offset = cursor;
    cursor = Math.ceil((cursor + bytes) / ALIGN) * ALIGN;
    return offset;
  };
  const specs = abiTensors(problem);
  const tensors = specs.map((t) => ({ name: t.name, dims: [...t.dims], dtype: t.dtype, offset: place(tensorBytes(t)), length: elementCount(t.dims) }));
  const inputs = opFor(problem).inputs(problem);
  const workspaceElements = inputs.reduce((sum, t) => sum + elementCount(t.dims), 0);
  const workspaceLength = workspaceBytes ?? inputs.reduce((sum, t) => sum + tensorBytes(t), 0);
  const workspace = { offset: place(workspaceLength), length: workspaceBytes ?? workspaceElements };
  const prepared = prepare && { entry: prepare.entry, weights: [...prepare.weights], packed: { offset: place(prepare.packedBytes), length: prepare.packedBytes } };
  return { backend: 'wasm', entry: opFor(problem).name, tensors, workspace, pages: Math.ceil((cursor + ALIGN) / PAGE), ...(prepared ? { prepare: prepared } : {}), ...outputCount(problem) };
}

/**
 * Bindings 0..n in ABI order; the host dispatches
 * (ceil(cols / tile.cols), ceil(rows / tile.rows), 1) workgroups, where the
 * (first) output's last dimension is its columns and every other dimension its rows.
 */
export function webgpuLaunch(
  problem: Problem,
  kernel: {
    tile: { rows: number; cols: number };
    workgroupSize: [number, number, number] | null;
    limits?: Record<string, number>;
    passes?: readonly { entry: string; workgroupSize: [number, number, number]; dispatch: [number, number, number] }[];
  },
): WebgpuLaunch {
  const specs = abiTensors(problem);
  const inputCount = opFor(problem).inputs(problem).length;
  const tensors = specs.map((t, i) => ({
    name: t.name,
    dims: [...t.dims],
    dtype: t.dtype,
    binding: i,
    access: i >= inputCount ? ('read_write' as const) : ('read' as const),
  }));
  const dims = opFor(problem).output(problem).dims;
  const cols = dims[dims.length - 1] ?? 1;
  const rows = elementCount(dims.slice(0, -1));
  return {
    backend: 'webgpu',
    entry: 'main',
    tensors,
    workgroupSize: kernel.workgroupSize,
    tile: kernel.tile,
    dispatch: [Math.ceil(cols / kernel.tile.cols), Math.ceil(rows / kernel.tile.rows), 1],
    limits: kernel.limits ?? {},
    ...(kernel.passes?.length ? { passes: [...kernel.passes] } : {}),
    ...outputCount(problem),
  };
}
