import type { Backend } from '../genome/genome.ts';
import { WasmPool } from './pool.ts';
import { WebgpuRunner } from './webgpu/runner.ts';
import type { BackendRunner, RunnerOptions } from './runner.ts';

export type RunnerFactory = (options: RunnerOptions) => Promise<BackendRunner>;

/** How each backend's runner starts. The Evaluator asks only for the backends a worker runs. */
export const runners: Record<Backend, RunnerFactory> = {
  wasm: async (options) => new WasmPool(options),
  webgpu: (options) => WebgpuRunner.start(options),
};
