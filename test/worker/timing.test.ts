import { describe, expect, it } from 'vitest';
import type { MatmulProblem } from '../../genome/ops/matmul-problem.ts';
import type { Kernel } from '../../verifiers/kernel.ts';
import { summarize, timeSideBySide, timingOf } from '../../worker/timing.ts';
import { wasmKernel } from '../../worker/wasm/kernel.ts';
import { naiveMatmulWat } from '../../testkit/naive-wat.ts';

const problem: MatmulProblem = { op: 'matmul', shape: { m: 32, n: 32, k: 32 }, dtype: 'f32' };

/** Counts calls, so a test can see what the timing loop did without trusting a clock. */
function counting(kernel: Kernel) {
  const calls: number[] = [];
  return {
    calls,
    kernel: { ...kernel, timeRuns: (runs: number) => (calls.push(runs), kernel.timeRuns(runs)) } satisfies Kernel,
  };
}

describe('summarize', () => {
  it('gives the median and the 10th and 90th percentiles', () => {
    expect(summarize([5, 1, 4, 2, 3])).toEqual({ medianMs: 3, p10Ms: 1.4, p90Ms: 4.6, samples: 5 });
  });
});

describe('timeSideBySide', () => {
  it('interleaves candidate and baseline, honours the sample bounds and calls the spot check twice', async () => {
    const candidate = counting(await wasmKernel(problem, naiveMatmulWat(problem)));
    const baseline = counting(await wasmKernel(problem, naiveMatmulWat(problem, { beforeStore: '(local.set $acc (f32.sqrt (f32.mul (local.get $acc) (local.get $acc))))' })));
    const checks: string[] = [];
    const budgets = { timingMs: 50, minSamples: 4, maxSamples: 9 };
    const sides = await timeSideBySide(candidate.kernel, baseline.kernel, { budgets, checkpoint: async (when) => void checks.push(when) });
    expect(checks).toEqual(['after warm-up', 'after timing']);
    expect(sides.candidate.samples).toBe(sides.baseline.samples);
    expect(sides.candidate.samples).toBeGreaterThanOrEqual(4);
    expect(sides.candidate.samples).toBeLessThanOrEqual(9);
    for (const side of [sides.candidate, sides.baseline]) {
      expect(side.p10Ms).toBeLessThanOrEqual(side.medianMs);
      expect(side.medianMs).toBeLessThanOrEqual(side.p90Ms);
    }
    const timing = timingOf(problem, sides);
    expect(timing.speedup).toBeCloseTo(sides.baseline.medianMs / sides.candidate.medianMs, 12);
    expect(timing.gflops).toBeCloseTo((2 * 32 ** 3) / (sides.candidate.medianMs * 1e6), 9);
  });

  it('stops at maxSamples however noisy the kernels', async () => {
    const kernel = await wasmKernel(problem, naiveMatmulWat(problem));
    let flip = 0;
    // Each pair of calls (candidate, baseline) alternates between 1 and 3 ms: a spread that never settles.
    const noisy: Kernel = { ...kernel, timeRuns: async () => (Math.floor(flip++ / 2) % 2 ? 1 : 3) };
    const sides = await timeSideBySide(noisy, noisy, { budgets: { timingMs: 600_000, minSamples: 3, maxSamples: 12 }, warmUpMs: 1 });
    expect(sides.candidate.samples).toBe(12);
  });
});
