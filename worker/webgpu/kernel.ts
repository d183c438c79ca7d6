import { dtypeOf, fillPoison, type Storage } from '../../genome/dtypes/index.ts';
import { launchTensors, type WebgpuLaunch } from '../../genome/families/launch.ts';
import { tensorBytes } from '../../genome/families/abi.ts';
import type { Problem } from '../../genome/ops/problem.ts';
import { KevoError } from '../../lib/errors.ts';
import type { Kernel } from '../../verifiers/kernel.ts';
import { settle } from './gpu.ts';

/**
 * A WGSL kernel compiled into a pipeline on `device`, with one storage buffer
 * per tensor of its launch (the op's ABI: inputs read-only, the outputs
 * read_write, bindings in order). Compile and pipeline errors throw KevoError
 * ASSEMBLE (with the compiler's messages); a validation error or device loss
 * while running throws FAILURE naming it.
 */
export async function webgpuKernel(device: GPUDevice, problem: Problem, wgsl: string, launch: WebgpuLaunch): Promise<Kernel> {
  const faults = watchFaults(device);
  const [pipeline, ...passPipelines] = await compile(device, wgsl, launch);
  const passes = (launch.passes ?? []).map((p, i) => ({ pipeline: passPipelines[i]!, dispatch: p.dispatch }));
  // Buffers and copies come in 4-byte multiples: a u8 or packed 4-bit tensor's buffer is padded up.
  const sizes = launch.tensors.map((t) => padded(tensorBytes(t)));
  const dtypes = launch.tensors.map((t) => dtypeOf(t.dtype));
  const counts = launch.tensors.map((t) => t.dims.reduce((a, b) => a * b, 1));
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
  const buffers = sizes.map((size) => device.createBuffer({ size, usage }));
  const tensor = (i: number) => ({ buffer: buffers[i]!, bytes: sizes[i]!, dtype: dtypes[i]!, count: counts[i]! });
  const { inputs, outputs } = launchTensors({ tensors: launch.tensors.map((_, i) => tensor(i)), outputs: launch.outputs });
  const staging = device.createBuffer({ size: Math.max(...sizes), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const bindGroup = device.createBindGroup({
    layout: pipeline!.getBindGroupLayout(0),
    entries: launch.tensors.map((t, i) => ({ binding: t.binding, resource: { buffer: buffers[i]! } })),
  });
  const [x, y, z] = launch.dispatch;
  const poisons = outputs.map((t) => {
    const poison = t.dtype.view(new ArrayBuffer(t.bytes), 0, t.count);
    fillPoison(t.dtype, poison);
    return paddedBytes(poison, t.bytes);
  });
  const timestamps = device.features.has('timestamp-query');

  /**
   * `runs` runs in one compute pass, submitted at once: each the main dispatch,
   * then the launch's passes in order (every dispatch is its own usage scope,
   * so each sees the writes of the one before).
   */
  function submitRuns(runs: number, timestampWrites?: GPUComputePassTimestampWrites): GPUCommandEncoder {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass(timestampWrites ? { timestampWrites } : {});
    pass.setBindGroup(0, bindGroup);
    for (let i = 0; i < runs; i++) {
      pass.setPipeline(pipeline!);
      pass.dispatchWorkgroups(x, y, z);
      for (const p of passes) {
        pass.setPipeline(p.pipeline);
        pass.dispatchWorkgroups(...p.dispatch);
      }
    }
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

  async function readAll(tensors: readonly ReturnType<typeof tensor>[]): Promise<Storage[]> {
    const values: Storage[] = [];
    for (const t of tensors) values.push(t.dtype.view(await read(t.buffer, t.bytes), 0, t.count));
    return values;
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
    weights: [],
    prepareMs: () => undefined,
    async write(values) {
      inputs.forEach((t, i) => device.queue.writeBuffer(t.buffer, 0, paddedBytes(values[i]!, t.bytes)));
    },
    async poison() {
      outputs.forEach((t, i) => device.queue.writeBuffer(t.buffer, 0, poisons[i]!));
    },
    async run() {
      await finish(submitRuns(1));
    },
    async readOutputs() {
      return readAll(outputs);
    },
    async readInputs() {
      return readAll(inputs);
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
      for (const buffer of [...buffers, staging]) buffer.destroy();
    },
  };
}

/** WGSL -> one compute pipeline per entry (the main one, then each pass's) with the ABI's explicit layout, so a kernel that breaks the ABI fails here. */
async function compile(device: GPUDevice, wgsl: string, launch: WebgpuLaunch): Promise<GPUComputePipeline[]> {
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
    entries: launch.tensors.map((t) => storage(t.access === 'read' ? 'read-only-storage' : 'storage', t.binding)),
  });
  const pipelineLayout = device.createPipelineLayout({ bindGroupLayouts: [layout] });
  try {
    const entries = [launch.entry, ...(launch.passes ?? []).map((p) => p.entry)];
    const pipelines: GPUComputePipeline[] = [];
    for (const entryPoint of entries) {
      pipelines.push(await settle(device.createComputePipelineAsync({ layout: pipelineLayout, compute: { module, entryPoint } })));
    }
    return pipelines;
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

function padded(bytes: number): number {
  return Math.ceil(bytes / 4) * 4;
}

/** The storage's bytes, zero-padded to `size` (a 4-byte multiple, as writeBuffer requires). */
function paddedBytes(storage: Storage, size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  bytes.set(new Uint8Array(storage.buffer, storage.byteOffset, Math.min(storage.byteLength, size)));
  return bytes;
}
