import type { MatmulProblem } from '../../genome/ops/matmul-problem.ts';
import { KernelJob } from '../../protocol/job.ts';
import { naiveMatmulWat } from '../../testkit/naive-wat.ts';

export const problem: MatmulProblem = { op: 'matmul', shape: { m: 16, n: 12, k: 8 }, dtype: 'f32' };

/** A job for a hand-written WAT kernel, with budgets small enough for tests. */
export function sourceJob(text: string, overrides: Partial<KernelJob> = {}): KernelJob {
  return KernelJob.parse({
    v: 1,
    kind: 'kernel',
    jobId: `job-${Math.random().toString(36).slice(2)}`,
    campaignId: 'test',
    problem,
    genome: { op: 'matmul', backend: 'wasm', family: 'source', language: 'wat', text },
    seed: 11,
    budgets: { deadlineMs: 30_000, timingMs: 20, minSamples: 3, maxSamples: 8 },
    ...overrides,
  });
}

export const naive = (hooks?: Parameters<typeof naiveMatmulWat>[1]) => naiveMatmulWat(problem, hooks);
export const forever = naive({ afterLoops: '(loop $forever (br $forever))' });
