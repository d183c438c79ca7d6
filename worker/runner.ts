import type { Backend } from '../genome/genome.ts';
import type { Logger } from '../lib/log.ts';
import type { DeviceClass } from '../protocol/device.ts';
import type { KernelJob } from '../protocol/job.ts';
import type { KernelResult } from '../protocol/result.ts';

/**
 * Runs one backend's jobs somewhere it can kill them: a thread pool for wasm,
 * a child process for WebGPU. The contract every runner keeps:
 * - evaluate() resolves with a result for every valid job, also when the
 *   kernel loops (status timeout), traps or kills its thread (runtime_error);
 *   it rejects only for a job that does not parse (KevoError BAD_INPUT);
 * - close() is safe to call twice; evaluate() after close() rejects with UNAVAILABLE.
 */
export interface BackendRunner {
  readonly backend: Backend;
  deviceClass(): Promise<DeviceClass>;
  evaluate(job: KernelJob): Promise<KernelResult>;
  /**
   * Runs `work` on a runner of this backend started for it and closed after
   * (a one-thread pool, a GPU process of its own): kernels timed there meet no
   * JIT or cache state this runner's earlier jobs left behind.
   */
  fresh<T>(work: (runner: BackendRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface RunnerOptions {
  /** Jobs run at once; default os.availableParallelism(). */
  readonly threads?: number;
  /** wasm: turn on relaxed SIMD (process-wide in V8) so fma genomes run. */
  readonly relaxedSimd?: boolean;
  /**
   * URLs of modules that register more ops and kernel families (beyond the
   * built-in ones): every worker thread and GPU process imports them before its
   * first job. The calling process must have imported them too.
   */
  readonly families?: readonly string[];
  /** This worker's name in results, e.g. the host name. */
  readonly name?: string;
  readonly log?: Logger;
}
