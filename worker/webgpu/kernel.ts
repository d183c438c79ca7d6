import { f32 } from '../../genome/dtypes/index.ts';
import { elementCount, opFor } from '../../genome/ops/index.ts';
import type { MatmulProblem } from '../../genome/ops/problem.ts';
import { KevoError } from '../../lib/errors.ts';
import type { Kernel } from '../../verifiers/kernel.ts';
import { BINDINGS, dispatchSize, ENTRY, type Tile } from './abi.ts';
import { settle } from './gpu.ts';

const F32 = 4;

/**
 * A WGSL kernel compiled into a pipeline on `device`, with its A, B and C
 * buffers on the GPU. Compile and pipeline errors throw KevoError ASSEMBLE
 * (with the compiler's messages); a validation error or device loss while
 * running throws FAILURE naming it.
 */
export async function webgpuKernel(device: GPUDevice, problem: MatmulProblem, kernel: { wgsl: string; tile: Tile }): Promise<Kernel> {
  const faults = watchFaults(device);
  const pipeline = await compile(device, kernel.wgsl);
  const op = opFor(problem);
  const sizes = [...op.inputs(problem), op.output(problem)].map((t) => elementCount(t.dims) * F32);
  const [aBytes, bBytes, cBytes] = sizes as [number, number, number];
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const a = device.createBuffer({ size: aBytes, usage });
  const b = device.createBuffer({ size: bBytes, usage });
  const c = device.createBuffer({ size: cBytes, usage });
  const staging = device.createBuffer({ size: Math.max(...sizes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const bindGroup = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: BINDINGS.a, resource: { buffer: a } },
      { binding: BINDINGS.b, resource: { buffer: b } },
      { binding: BINDINGS.c, resource: { buffer: c } },
    ],
  });
  const [x, y, z] = dispatchSize(problem, kernel.tile);
  const poison = new Uint32Array(cBytes / F32).fill(f32.poisonBits);
  const timestamps = device.features.has('timestamp-query');

  /** `runs` dispatches in one pass (Dawn puts a barrier between them), submitted at once. */
  function submitRuns(runs: number, timestampWrites?: GPUComputePassTimestampWrites): GPUCommandEncoder {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass(timestampWrites ? { timestampWrites } : {});
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    for (let i = 0; i < runs; i++) pass.dispatchWorkgroups(x, y, z);
    pass.end();
    return encoder;
  }

  async function finish(encoder: GPUCommandEncoder): Promise<void> {
    device.queue.submit([encoder.finish()]);
    await settle(device.queue.onSubmittedWorkDone());
    faults.throwIfAny();
  }

  async function read(buffer: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
    await finish(encoder);
    await settle(staging.mapAsync(GPUMapMode.READ, 0, bytes));
    const copy = staging.getMappedRange(0, bytes).slice(0);
    staging.unmap();
    return copy;
  }

  async function timeWithTimestamps(runs: number): Promise<number | null> {
    const querySet = device.createQuerySet({ type: 'timestamp', count: 2 });
    const resolved = device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    try {
      const encoder = submitRuns(runs, { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 });
      encoder.resolveQuerySet(querySet, 0, 2, resolved, 0);
      await finish(encoder);
      const [begin, end] = new BigUint64Array(await read(resolved, 16)) as unknown as [bigint, bigint];
      const ns = Number(end - begin);
      // A driver may report zeros or wrap: then the wall clock decides.
      return ns > 0 ? ns / 1e6 / runs : null;
    } finally {
      querySet.destroy();
      resolved.destroy();
    }
  }

  return {
    problem,
    async write(inputs) {
      device.queue.writeBuffer(a, 0, inputs[0]! as Float32Array<ArrayBuffer>);
      device.queue.writeBuffer(b, 0, inputs[1]! as Float32Array<ArrayBuffer>);
    },
    async poison() {
      device.queue.writeBuffer(c, 0, poison);
    },
    async run() {
      await finish(submitRuns(1));
    },
    async readOutput() {
      return new Float32Array(await read(c, cBytes));
    },
    async readInputs() {
      return [new Float32Array(await read(a, aBytes)), new Float32Array(await read(b, bBytes))];
    },
    async timeRuns(runs) {
      if (timestamps) {
        const ms = await timeWithTimestamps(runs);
        if (ms !== null) return ms;
      }
      const start = performance.now();
      await finish(submitRuns(runs));
      return (performance.now() - start) / runs;
    },
    async dispose() {
      for (const buffer of [a, b, c, staging]) buffer.destroy();
    },
  };
}

/** WGSL -> compute pipeline with the ABI's explicit layout, so a kernel that breaks the ABI fails here. */
async function compile(device: GPUDevice, wgsl: string): Promise<GPUComputePipeline> {
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: wgsl });
  const info = await settle(module.getCompilationInfo());
  const scope = await settle(device.popErrorScope());
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length > 0) {
    throw new KevoError('ASSEMBLE', errors.map((m) => `wgsl:${m.lineNum}:${m.linePos}: ${m.message}`).join('\n'));
  }
  if (scope) throw new KevoError('ASSEMBLE', `shader module: ${scope.message}`);
  const storage = (type: GPUBufferBindingType, binding: number): GPUBindGroupLayoutEntry => ({
    binding,
    visibility: GPUShaderStage.COMPUTE,
    buffer: { type },
  });
  const layout = device.createBindGroupLayout({
    entries: [storage('read-only-storage', BINDINGS.a), storage('read-only-storage', BINDINGS.b), storage('storage', BINDINGS.c)],
  });
  try {
    return await settle(
      device.createComputePipelineAsync({
        layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: ENTRY },
      }),
    );
  } catch (error) {
    throw new KevoError('ASSEMBLE', `pipeline: ${(error as Error).message}`, { cause: error });
  }
}

const watchers = new WeakMap<GPUDevice, { throwIfAny(): void }>();

/**
 * Validation errors and device loss, remembered until the next check: GPU
 * errors arrive asynchronously. One watcher per device, shared by its kernels.
 */
function watchFaults(device: GPUDevice): { throwIfAny(): void } {
  const existing = watchers.get(device);
  if (existing) return existing;
  let fault: string | null = null;
  device.addEventListener('uncapturederror', (event) => {
    fault ??= `GPU error: ${(event as GPUUncapturedErrorEvent).error.message}`;
  });
  void device.lost.then((info) => {
    fault ??= `GPU device lost (${info.reason}): ${info.message}`;
  });
  const watcher = {
    throwIfAny() {
      if (fault) throw new KevoError('FAILURE', fault);
    },
  };
  watchers.set(device, watcher);
  return watcher;
}
