import { launchTensors, type WebgpuLaunch } from '../genome/families/launch.ts';
import type { Genome } from '../genome/genome.ts';
import type { Problem } from '../genome/ops/index.ts';
import { dtypeOf } from '../genome/dtypes/index.ts';
import { elementCount } from '../genome/ops/index.ts';
import { KevoError } from '../lib/errors.ts';
import type { Timing } from '../protocol/result.ts';
import { arrayLength, arrayType, CHECK_JS, loaderTypes, outputsField, outputsJs, runParams, type AbiTensor, type LoaderTensors } from './loader.ts';

export interface WebgpuExport {
  readonly problem: Problem;
  /** A webgpu genome (generated or WGSL source); any other backend is refused. */
  readonly genome: Genome;
  readonly wgsl: string;
  /** How the stored kernel runs: bindings, workgroup, tile, dispatch and passes, limits. */
  readonly launch: WebgpuLaunch;
  /** Adapter features the kernel needs beyond what `enable` lines in the WGSL already say. */
  readonly features?: readonly string[];
  /** The device class it was timed on, for the reader of meta.json. */
  readonly deviceLabel: string;
  readonly timing?: Timing;
  /** Anything else worth keeping with the kernel (ids, verdicts). */
  readonly meta?: Record<string, unknown>;
}

/** `enable` directives name the adapter features a shader needs. */
const ENABLES: Record<string, string> = { f16: 'shader-f16', subgroups: 'subgroups' };

export function wgslFeatures(wgsl: string): string[] {
  const found = [...wgsl.matchAll(/^\s*enable\s+([\w\s,]+);/gm)].flatMap((m) => m[1]!.split(',').map((s) => s.trim()));
  return [...new Set(found.map((name) => ENABLES[name]).filter((f): f is string => f !== undefined))];
}

/**
 * The files of an exported WebGPU kernel: kernel.wgsl, meta.json (features and
 * limits it needs, workgroup and dispatch sizes, problem, genome, timing) and
 * a dependency-free ES module with its typings whose load() compiles the
 * kernel on a GPUDevice (navigator.gpu's in a browser, or one the caller
 * passes, e.g. from the `webgpu` package in Node). Pure.
 */
export function webgpuExportFiles(k: WebgpuExport): Record<string, string> {
  const genome = k.genome;
  if (genome.backend !== 'webgpu') throw new KevoError('BAD_INPUT', `a ${genome.backend} kernel cannot be exported as WebGPU`);
  const { launch } = k;
  const features = [...new Set([...(k.features ?? []), ...wgslFeatures(k.wgsl)])].sort();
  const { limits, dispatch, tile } = launch;
  const abiOf = ({ name, dims, dtype }: WebgpuLaunch['tensors'][number]): AbiTensor => ({ name, dims, dtype });
  const split = launchTensors(launch);
  const tensors: LoaderTensors = { inputs: split.inputs.map(abiOf), outputs: split.outputs.map(abiOf) };
  const meta = {
    ...k.meta,
    backend: 'webgpu',
    problem: k.problem,
    genome: k.genome,
    features,
    limits,
    workgroupSize: launch.workgroupSize,
    tile,
    dispatch,
    passes: launch.passes ?? [],
    abi: {
      entry: launch.entry,
      inputs: tensors.inputs.map((t, binding) => ({ ...t, binding })),
      ...outputsField(tensors.outputs.map((t, i) => ({ ...t, binding: tensors.inputs.length + i }))),
    },
    timedOn: k.deviceLabel,
    ...(k.timing ? { timing: k.timing } : {}),
  };
  return {
    'kernel.wgsl': k.wgsl,
    'meta.json': `${JSON.stringify(meta, null, 2)}\n`,
    'index.js': loaderJs({ problem: k.problem, tensors, wgsl: k.wgsl, features, launch }),
    'index.d.ts': loaderDts(k.problem, tensors),
  };
}

function loaderJs(c: { problem: Problem; tensors: LoaderTensors; wgsl: string; features: string[]; launch: WebgpuLaunch }): string {
  const params = runParams(c.tensors.inputs);
  const many = c.tensors.outputs.length > 1;
  // Buffers are 4-byte multiples: a tensor of bytes is uploaded through a zero-padded copy.
  const bytes = (t: AbiTensor) => dtypeOf(t.dtype).storageBytes(elementCount(t.dims));
  const placed = (t: AbiTensor) =>
    `{ name: ${JSON.stringify(t.name)}, Type: ${arrayType(t)}, length: ${arrayLength(t)}, bytes: ${bytes(t)}, size: ${Math.ceil(bytes(t) / 4) * 4} }`;
  const upload = (t: AbiTensor, i: number) =>
    bytes(t) % 4 === 0 ? `device.queue.writeBuffer(inputs[${i}], 0, ${params[i]});` : `device.queue.writeBuffer(inputs[${i}], 0, padded(${params[i]}, INPUTS[${i}].size));`;
  return `// Exported by kevo. Runs the kernel on any WebGPU device; no dependencies.
export const problem = ${JSON.stringify(c.problem)};
export const features = ${JSON.stringify(c.features)};
export const limits = ${JSON.stringify(c.launch.limits)};
/** The kernel's tensors in ABI order (bindings 0, 1, ...: the inputs, then the output${many ? 's' : ''}): run() takes the inputs in this order. */
export const tensors = ${JSON.stringify({ inputs: c.tensors.inputs, ...outputsField(c.tensors.outputs) })};
const WGSL = ${JSON.stringify(c.wgsl)};
const ENTRY = ${JSON.stringify(c.launch.entry)};
const DISPATCH = ${JSON.stringify(c.launch.dispatch)};
// Dispatches of other entry points after the main one, in order (an epilogue run as separate passes).
const PASSES = ${JSON.stringify((c.launch.passes ?? []).map((p) => ({ entry: p.entry, dispatch: p.dispatch })))};
const INPUTS = [${c.tensors.inputs.map(placed).join(', ')}];
const OUTPUTS = [${c.tensors.outputs.map(placed).join(', ')}];
// The spec's flag values, so this works where GPUBufferUsage and friends are not globals (Node).
const STORAGE = 0x80, COPY_DST = 0x8, COPY_SRC = 0x4, MAP_READ = 0x1, MAP_MODE_READ = 0x1, COMPUTE = 0x4;

async function openDevice() {
  const gpu = globalThis.navigator && globalThis.navigator.gpu;
  if (!gpu) throw new Error('WebGPU is not available here: pass a GPUDevice to load() (in Node, from the "webgpu" package)');
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter');
  check(adapter);
  return adapter.requestDevice({ requiredFeatures: features, requiredLimits: limits });
}

/** Throws naming every feature or limit the adapter or device lacks. */
function check(target) {
  const missing = features.filter((f) => !target.features.has(f));
  const short = Object.keys(limits).filter((name) => !(target.limits[name] >= limits[name]));
  if (missing.length + short.length > 0) {
    throw new Error('this kernel needs ' + [...missing.map((f) => 'feature ' + f), ...short.map((l) => l + ' >= ' + limits[l])].join(', '));
  }
}

${CHECK_JS}

${outputsJs(many)}

function padded(array, size) {
  const copy = new Uint8Array(size);
  copy.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  return copy;
}

export async function load(device) {
  if (device) check(device);
  else device = await openDevice();
  const module = device.createShaderModule({ code: WGSL });
  const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
  if (errors.length > 0) throw new Error('WGSL: ' + errors.map((m) => m.lineNum + ':' + m.linePos + ' ' + m.message).join('; '));
  const entry = (binding, type) => ({ binding, visibility: COMPUTE, buffer: { type } });
  const layout = device.createBindGroupLayout({
    entries: [...INPUTS.map((_, i) => entry(i, 'read-only-storage')), ...OUTPUTS.map((_, i) => entry(INPUTS.length + i, 'storage'))],
  });
  const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });
  const pipelineFor = (entryPoint) => device.createComputePipelineAsync({ layout: pipelineLayout, compute: { module, entryPoint } });
  const pipeline = await pipelineFor(ENTRY);
  const passes = await Promise.all(PASSES.map(async (p) => ({ pipeline: await pipelineFor(p.entry), dispatch: p.dispatch })));
  // Every buffer is made once, here, and reused by every run.
  const buffer = (size, usage) => device.createBuffer({ size, usage });
  const inputs = INPUTS.map((t) => buffer(t.size, STORAGE | COPY_DST));
  const results = OUTPUTS.map((t) => buffer(t.size, STORAGE | COPY_SRC));
  const readbacks = OUTPUTS.map((t) => buffer(t.size, MAP_READ | COPY_DST));
  const bindGroup = device.createBindGroup({ layout, entries: [...inputs, ...results].map((buf, binding) => ({ binding, resource: { buffer: buf } })) });
  const outputs = Object.freeze(OUTPUTS.map((t) => new t.Type(t.length)));
  // One run at a time: the buffers are shared.
  let queue = Promise.resolve();

  async function runOnce(${params.join(', ')}) {
${c.tensors.inputs.map((t, i) => `    ${upload(t, i)}`).join('\n')}
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(DISPATCH[0], DISPATCH[1], DISPATCH[2]);
    for (const p of passes) {
      pass.setPipeline(p.pipeline);
      pass.dispatchWorkgroups(p.dispatch[0], p.dispatch[1], p.dispatch[2]);
    }
    pass.end();
    OUTPUTS.forEach((t, i) => encoder.copyBufferToBuffer(results[i], 0, readbacks[i], 0, t.size));
    device.queue.submit([encoder.finish()]);
    await Promise.all(readbacks.map((readback) => readback.mapAsync(MAP_MODE_READ)));
    OUTPUTS.forEach((t, i) => {
      outputs[i].set(new t.Type(readbacks[i].getMappedRange(), 0, t.length));
      readbacks[i].unmap();
    });
    return deliver(outputs, out);
  }

  return {
    problem,
    ${many ? 'outputs' : 'output: outputs[0]'},
    async run(${params.join(', ')}) {
${c.tensors.inputs.map((t, i) => `      checkArgument(${params[i]}, INPUTS[${i}].Type, INPUTS[${i}].length, ${JSON.stringify(`input ${t.name}`)});`).join('\n')}
      if (out !== undefined) checkOut(out);
      const run = queue.then(() => runOnce(${params.join(', ')}));
      queue = run.then(() => undefined, () => undefined);
      return run;
    },
    destroy() {
      for (const buf of [...inputs, ...results, ...readbacks]) buf.destroy();
    },
  };
}
`;
}

function loaderDts(problem: Problem, tensors: LoaderTensors): string {
  const many = tensors.outputs.length > 1;
  return `// Exported by kevo.
/// <reference types="@webgpu/types" />
${loaderTypes(problem, tensors)}
/** Adapter features the kernel needs (e.g. "shader-f16"). */
export declare const features: readonly string[];
/** Device limits above WebGPU's defaults the kernel needs. */
export declare const limits: Readonly<Record<string, number>>;
export interface Kernel {
  readonly problem: Problem;
  /** The kernel's own array${many ? 's for the results, in ABI order' : ' for the result'}: what run() resolves with when given no \`out\`; the next run() overwrites ${many ? 'them' : 'it'}. */
  readonly ${many ? 'outputs' : 'output'}: Output;
  /**
   * Runs the kernel on the inputs (row-major, each in its dtype's typed array, in ABI order; see \`tensors\`):
   * one upload per input into buffers made once by load(), one dispatch, one
   * readback into \`out\` when given, else into \`output\`; resolves with that
   * array. Runs are queued one at a time. Rejects with a TypeError or
   * RangeError naming an argument that is not the right typed array of the right length.
   */
  run(...args: [...inputs: Inputs, out?: Output]): Promise<Output>;
  /** Frees the kernel's GPU buffers. */
  destroy(): void;
}
/**
 * Compiles the kernel on \`device\`, or on navigator.gpu's default device when none
 * is passed; rejects naming any feature or limit the device lacks.
 */
export declare function load(device?: GPUDevice): Promise<Kernel>;
`;
}
