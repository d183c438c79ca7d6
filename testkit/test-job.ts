import { KernelJob, PROTOCOL_VERSION } from '../protocol/index.ts';

/** A valid kernel job whose evaluation (by SleepEvaluator) takes `timingMs`; 1 means trivial. */
export function testJob(campaignId: string, index: number, timingMs = 1, deviceClassId?: string): KernelJob {
  return KernelJob.parse({
    v: PROTOCOL_VERSION,
    kind: 'kernel',
    jobId: `${campaignId}-job-${index}`,
    campaignId,
    problem: { op: 'matmul', shape: { m: 8, n: 8, k: 8 }, dtype: 'f32' },
    genome: { op: 'matmul', backend: 'wasm', family: 'tiled', mr: 2, nr: 8, kUnroll: 1, mc: 8, kc: 8, nc: 8, packA: false, packB: false, loopOrder: 'nkm', fma: false },
    seed: index,
    budgets: { deadlineMs: 10_000, timingMs, minSamples: 1, maxSamples: 1 },
    deviceClassId,
  });
}
