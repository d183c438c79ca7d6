import type { WebgpuLaunch } from '../genome/families/launch.ts';
import type { Genome } from '../genome/genome.ts';
import type { Problem } from '../genome/ops/index.ts';
import { KevoError } from '../lib/errors.ts';
import type { Timing } from '../protocol/result.ts';

export interface WebgpuExport {
  readonly problem: Problem;
  /** A webgpu genome (generated or WGSL source); any other backend is refused. */
  readonly genome: Genome;
  readonly wgsl: string;
  /** How the stored kernel runs: bindings, workgroup, tile, dispatch, limits. */
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
  const inputs = launch.tensors.slice(0, -1);
  const output = launch.tensors[launch.tensors.length - 1]!;
  const meta = {
    ...k.meta,
    backend: 'webgpu',
    problem: k.problem,
    genome: k.genome,
    features,
    limits: launch.limits,
    workgroupSize: launch.workgroupSize,
    tile: launch.tile,
    dispatch: launch.dispatch,
    passes: launch.passes ?? [],
    abi: { entry: launch.entry, inputs: inputs.map(tensorMeta), output: tensorMeta(output) },
    timedOn: k.deviceLabel,
    ...(k.timing ? { timing: k.timing } : {}),
  };
  return {
    'kernel.wgsl': k.wgsl,
    'meta.json': `${JSON.stringify(meta, null, 2)}\n`,
    'index.js': loaderJs({ problem: k.problem, wgsl: k.wgsl, features, launch }),
    'index.d.ts': loaderDts(k.problem, launch),
  };
}

function tensorMeta(t: WebgpuLaunch['tensors'][number]) {
  return { name: t.name, dims: t.dims, dtype: t.dtype, binding: t.binding };
}

function loaderJs(c: { problem: Problem; wgsl: string; features: string[]; launch: WebgpuLaunch }): string {
  const tensors = c.launch.tensors.map((t) => ({ name: t.name, length: t.dims.reduce((a, b) => a * b, 1), binding: t.binding }));
  return `// Exported by kevo. Runs the kernel on any WebGPU device; no dependencies.
export const problem = ${JSON.stringify(c.problem)};
export const features = ${JSON.stringify(c.features)};
export const limits = ${JSON.stringify(c.launch.limits)};
const WGSL = ${JSON.stringify(c.wgsl)};
const ENTRY = ${JSON.stringify(c.launch.entry)};
const DISPATCH = ${JSON.stringify(c.launch.dispatch)};
// Dispatches of other entry points after the main one, in order (an epilogue run as separate passes).
const PASSES = ${JSON.stringify((c.launch.passes ?? []).map((p) => ({ entry: p.entry, dispatch: p.dispatch })))};
// Every tensor in ABI order: the inputs, then the output.
const INPUTS = ${JSON.stringify(tensors.slice(0, -1))};
const OUTPUT = ${JSON.stringify(tensors[tensors.length - 1])};
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

export async function load(device) {
  if (device) check(device);
  else device = await openDevice();
  const module = device.createShaderModule({ code: WGSL });
  const errors = (await module.getCompilationInfo()).messages.filter((m) => m.type === 'error');
  if (errors.length > 0) throw new Error('WGSL: ' + errors.map((m) => m.lineNum + ':' + m.linePos + ' ' + m.message).join('; '));
  const entry = (binding, type) => ({ binding, visibility: COMPUTE, buffer: { type } });
  const layout = device.createBindGroupLayout({
    entries: [...INPUTS.map((t) => entry(t.binding, 'read-only-storage')), entry(OUTPUT.binding, 'storage')],
  });
  const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });
  const pipelineFor = (entryPoint) => device.createComputePipelineAsync({ layout: pipelineLayout, compute: { module, entryPoint } });
  const pipeline = await pipelineFor(ENTRY);
  const passes = await Promise.all(PASSES.map(async (p) => ({ pipeline: await pipelineFor(p.entry), dispatch: p.dispatch })));
  const buffer = (length, usage) => device.createBuffer({ size: length * 4, usage });
  const ins = INPUTS.map((t) => buffer(t.length, STORAGE | COPY_DST));
  const c = buffer(OUTPUT.length, STORAGE | COPY_SRC);
  const readback = buffer(OUTPUT.length, MAP_READ | COPY_DST);
  const bindGroup = device.createBindGroup({
    layout,
    entries: [...INPUTS.map((t, i) => ({ binding: t.binding, resource: { buffer: ins[i] } })), { binding: OUTPUT.binding, resource: { buffer: c } }],
  });
  // One run at a time: the buffers are shared.
  let queue = Promise.resolve();

  async function runOnce(inputs) {
    if (inputs.length !== INPUTS.length) throw new TypeError('expected ' + INPUTS.length + ' inputs (' + INPUTS.map((t) => t.name).join(', ') + ')');
    INPUTS.forEach((t, i) => {
      if (!(inputs[i] instanceof Float32Array) || inputs[i].length !== t.length) {
        throw new TypeError('input ' + t.name + ': expected a Float32Array of ' + t.length + ' elements');
      }
      device.queue.writeBuffer(ins[i], 0, inputs[i]);
    });
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
    encoder.copyBufferToBuffer(c, 0, readback, 0, OUTPUT.length * 4);
    device.queue.submit([encoder.finish()]);
    await readback.mapAsync(MAP_MODE_READ);
    const out = new Float32Array(readback.getMappedRange().slice(0));
    readback.unmap();
    return out;
  }

  return {
    problem,
    run(...inputs) {
      const result = queue.then(() => runOnce(inputs));
      queue = result.then(() => undefined, () => undefined);
      return result;
    },
    destroy() {
      for (const buf of [...ins, c, readback]) buf.destroy();
    },
  };
}
`;
}

function loaderDts(problem: Problem, launch: WebgpuLaunch): string {
  const dims = (t: WebgpuLaunch['tensors'][number]) => `${t.name} (${t.dims.join('x')})`;
  const inputs = launch.tensors.slice(0, -1);
  const output = launch.tensors[launch.tensors.length - 1]!;
  return `// Exported by kevo.
/// <reference types="@webgpu/types" />
export interface Problem {
  readonly op: ${JSON.stringify(problem.op)};
  readonly shape: { ${Object.entries(problem.shape).map(([name, size]) => `readonly ${name}: ${size}`).join('; ')} };
  readonly dtype: ${JSON.stringify(problem.dtype)};
}
export declare const problem: Problem;
/** Adapter features the kernel needs (e.g. "shader-f16"). */
export declare const features: readonly string[];
/** Device limits above WebGPU's defaults the kernel needs. */
export declare const limits: Readonly<Record<string, number>>;
/**
 * Compiles the kernel on \`device\`, or on navigator.gpu's default device when none
 * is passed; rejects naming any feature or limit the device lacks.
 */
export declare function load(device?: GPUDevice): Promise<{
  readonly problem: Problem;
  /** ${inputs.map(dims).join(', ')}, row-major f32, in this order; resolves with ${dims(output)}. */
  run(...inputs: Float32Array[]): Promise<Float32Array>;
  /** Frees the kernel's GPU buffers. */
  destroy(): void;
}>;
`;
}
