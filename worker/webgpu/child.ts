/**
 * The GPU child process: the only place Dawn is loaded. A native abort, a
 * hung dispatch or a leaked device dies with this process, never with the
 * worker that forked it (see runner.ts).
 */
import { webgpuLaunch } from '../../genome/families/abi.ts';
import { importFamilyModules } from '../../genome/families/modules.ts';
import { KevoError } from '../../lib/errors.ts';
import { gpuDeviceClass, gpuFacts, probeAdapter } from './device.ts';
import { openDevice, requestAdapter } from './gpu.ts';
import { webgpuKernel } from './kernel.ts';
import type { FromChild, ToChild } from './messages.ts';
import { evaluateWebgpuJob } from './job.ts';

function reply(message: FromChild): void {
  process.send?.(message);
}

/** One adapter and device per request: a device that broke on the last kernel cannot taint the next. */
async function withDevice<T>(use: (device: GPUDevice, adapter: GPUAdapter) => Promise<T>): Promise<T> {
  const adapter = await requestAdapter();
  if (!adapter) throw new KevoError('UNAVAILABLE', 'no WebGPU adapter');
  const device = await openDevice(adapter);
  try {
    return await use(device, adapter);
  } finally {
    device.destroy();
  }
}

async function handle(message: ToChild): Promise<FromChild> {
  switch (message.type) {
    case 'probe':
      return { type: 'probe', availability: await probeAdapter() };
    case 'job':
      return {
        type: 'result',
        result: await withDevice((gpu, adapter) => evaluateWebgpuJob(message.job, { gpu, device: gpuDeviceClass(gpuFacts(adapter)), worker: message.worker })),
      };
    case 'run':
      return withDevice(async (device) => {
        const kernel = await webgpuKernel(device, message.problem, message.wgsl, webgpuLaunch(message.problem, { tile: message.tile, workgroupSize: null, passes: message.passes }));
        try {
          await kernel.write(message.inputs);
          await kernel.poison();
          await kernel.run();
          return { type: 'outputs', outputs: await kernel.readOutputs() };
        } finally {
          await kernel.dispose();
        }
      });
  }
}

// The parent names modules registering more ops and families as our arguments; requests wait for them.
const registered = importFamilyModules(process.argv.slice(2));

process.on('message', (message: ToChild) => {
  registered.then(() => handle(message)).then(reply, (error: unknown) => {
    const code = error instanceof KevoError ? error.code : 'FAILURE';
    reply({ type: 'error', code, message: error instanceof Error ? error.message : String(error) });
  });
});
// The parent going away ends us: a GPU process must never outlive its worker.
process.on('disconnect', () => process.exit(0));
