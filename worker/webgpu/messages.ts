import type { Storage } from '../../genome/dtypes/dtype.ts';
import type { WebgpuLaunch } from '../../genome/families/launch.ts';
import type { Problem } from '../../genome/ops/problem.ts';
import type { KernelJob } from '../../protocol/job.ts';
import type { KernelResult } from '../../protocol/result.ts';
import type { Availability } from './device.ts';

/**
 * What the worker and its GPU child process say to each other over IPC
 * (advanced serialization, so typed arrays travel as they are). One request
 * at a time; every request gets exactly one reply unless the child dies.
 */
export type ToChild =
  | { type: 'probe' }
  | { type: 'job'; job: KernelJob; worker: string }
  /** Run one WGSL kernel once on given inputs and return its outputs (ABI order): for tests, benchmarks and exports. */
  | { type: 'run'; problem: Problem; wgsl: string; tile: { rows: number; cols: number }; passes?: WebgpuLaunch['passes']; inputs: Storage[] };

export type FromChild =
  | { type: 'probe'; availability: Availability }
  | { type: 'result'; result: KernelResult }
  | { type: 'outputs'; outputs: Storage[] }
  | { type: 'error'; code: string; message: string };
