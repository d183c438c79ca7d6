import type { Backend } from '../genome/genome.ts';
import { KevoError } from '../lib/errors.ts';
import { WasmPool } from './pool.ts';
import type { BackendRunner, RunnerOptions } from './runner.ts';

export type RunnerFactory = (options: RunnerOptions) => Promise<BackendRunner>;

/** How each backend's runner starts. The Evaluator asks only for the backends a worker runs. */
export const runners: Record<Backend, RunnerFactory> = {
  wasm: async (options) => new WasmPool(options),
  // Seam for the WebGPU runner (a child process owning Dawn, in worker/webgpu/).
  webgpu: async () => {
    throw new KevoError('UNAVAILABLE', 'this build has no WebGPU runner yet');
  },
};
