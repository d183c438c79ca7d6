import { z } from 'zod';
import { DtypeName } from '../dtypes/name.ts';

const Count = z.number().int().min(0);
const Size3 = z.tuple([z.number().int().min(1), z.number().int().min(1), z.number().int().min(1)]);

/** One tensor of the kernel ABI, in the op's order (inputs, then the outputs). */
const AbiTensor = { name: z.string(), dims: z.array(Count), dtype: DtypeName };

/**
 * How many of the tensors, from the end, are outputs. Absent: one, so every
 * launch stored before ops had several outputs reads as it did.
 */
const Outputs = z.number().int().min(2).optional();

const Region = z.object({ offset: Count, length: Count }).strict();

/**
 * A load-time step (as XNNPACK packs weights when an operator is created):
 * `entry` reads the `weights` inputs (indices in ABI order, e.g. B and its
 * scales) and writes their packed form into `packed`, which nothing else
 * touches. Whoever runs the kernel calls it after writing the weights and
 * again whenever one of them changes; the main entry reads `packed` instead.
 * Its time is not the kernel's per-call time.
 */
export const WasmPrepare = z
  .object({
    entry: z.string().min(1),
    weights: z.array(Count).min(1),
    packed: Region,
  })
  .strict();
export type WasmPrepare = z.infer<typeof WasmPrepare>;

/**
 * How to run a WASM kernel: the export to call and where each tensor lives in
 * its imported memory. The entry takes every tensor's byte offset in ABI
 * order, then the workspace's, then (with `prepare`) the packed region's;
 * the prepare entry takes its weights' offsets, then the packed region's.
 */
export const WasmLaunch = z
  .object({
    backend: z.literal('wasm'),
    entry: z.string().min(1),
    tensors: z.array(z.object({ ...AbiTensor, offset: Count, length: Count }).strict()),
    workspace: Region,
    pages: z.number().int().min(1),
    prepare: WasmPrepare.optional(),
    outputs: Outputs,
  })
  .strict()
  .refine((l) => !l.prepare || l.prepare.weights.every((i) => i < l.tensors.length - (l.outputs ?? 1)), { message: 'prepare.weights must name inputs', path: ['prepare', 'weights'] });
export type WasmLaunch = z.infer<typeof WasmLaunch>;

/**
 * How to run a WGSL kernel: one storage binding per tensor in ABI order
 * (inputs read-only, the outputs read_write), the entry point, and the
 * dispatch: the tile of the (first) output one workgroup covers fixes how many run.
 */
export const WebgpuLaunch = z
  .object({
    backend: z.literal('webgpu'),
    entry: z.string().min(1),
    tensors: z.array(z.object({ ...AbiTensor, binding: Count, access: z.enum(['read', 'read_write']) }).strict()),
    /** null for a source kernel: its WGSL says it, and nothing needs it but the reader. */
    workgroupSize: Size3.nullable(),
    tile: z.object({ rows: z.number().int().min(1), cols: z.number().int().min(1) }).strict(),
    dispatch: Size3,
    /** Adapter limits above WebGPU's defaults the kernel relies on. */
    limits: z.record(z.string(), z.number()),
    /** Dispatches of other entry points after the main one, in order, over the same bindings (an unfused epilogue). */
    passes: z.array(z.object({ entry: z.string().min(1), workgroupSize: Size3, dispatch: Size3 }).strict()).optional(),
    outputs: Outputs,
  })
  .strict();
export type WebgpuLaunch = z.infer<typeof WebgpuLaunch>;

export const Launch = z.discriminatedUnion('backend', [WasmLaunch, WebgpuLaunch]);
export type Launch = z.infer<typeof Launch>;

/** A launch's tensors split into the inputs and the outputs, each in ABI order. */
export function launchTensors<T>(launch: { readonly tensors: readonly T[]; readonly outputs?: number | undefined }): { inputs: T[]; outputs: T[] } {
  const first = launch.tensors.length - (launch.outputs ?? 1);
  return { inputs: launch.tensors.slice(0, first), outputs: launch.tensors.slice(first) };
}

/** A kernel as a family emits it and the store keeps it: the text and everything needed to run it. */
export interface KernelCode<L extends Launch = Launch> {
  readonly language: 'wat' | 'wgsl';
  readonly text: string;
  readonly launch: L;
}
