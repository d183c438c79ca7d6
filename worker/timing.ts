import { opFor, type Problem } from '../genome/ops/index.ts';
import { median, quantile } from '../lib/stats.ts';
import type { Budgets } from '../protocol/job.ts';
import type { Timing } from '../protocol/result.ts';
import { DeadlineExceeded } from '../verifiers/failure.ts';
import type { Kernel } from '../verifiers/kernel.ts';

export interface Sampled {
  readonly medianMs: number;
  readonly p10Ms: number;
  readonly p90Ms: number;
  readonly samples: number;
}

export interface TimingOptions {
  readonly budgets: Pick<Budgets, 'timingMs' | 'minSamples' | 'maxSamples'>;
  /** performance.now() at which timing stops with what it has (DeadlineExceeded if nothing). */
  readonly stopAt?: number;
  /** Runs after warm-up and after the last sample (the spot check); throwing ends the timing. */
  readonly checkpoint?: (when: string) => Promise<void>;
  /** A sample lasts at least this long, so timer resolution and call overhead vanish. */
  readonly sampleMs?: number;
  /** Most time each kernel gets to warm up; default half the timing budget, at most 500 ms. */
  readonly warmUpMs?: number;
  /** Stop sampling once (p90 - p10) / median is at most this for both kernels. */
  readonly spread?: number;
}

/**
 * The candidate and the baseline timed alternately (ABAB...) on this thread,
 * so drift in clock speed or a noisy neighbour hits both alike and the ratio
 * of medians holds where absolute times wander.
 */
export async function timeSideBySide(candidate: Kernel, baseline: Kernel, opts: TimingOptions): Promise<{ candidate: Sampled; baseline: Sampled }> {
  const { budgets, stopAt = Infinity, sampleMs = 3, spread = 0.05 } = opts;
  const warmBudget = opts.warmUpMs ?? Math.min(budgets.timingMs / 2, 500);
  const runs = [await warmUp(candidate, warmBudget, stopAt), await warmUp(baseline, warmBudget, stopAt)].map((perCall) =>
    Math.max(1, Math.ceil(sampleMs / perCall)),
  ) as [number, number];
  await opts.checkpoint?.('after warm-up');
  const times: [number[], number[]] = [[], []];
  const start = performance.now();
  for (;;) {
    const n = times[0].length;
    const now = performance.now();
    if (n >= budgets.maxSamples) break;
    if (n >= budgets.minSamples && (now - start >= 2 * budgets.timingMs || times.every((t) => relativeSpread(t) <= spread))) break;
    if (now > stopAt) {
      if (n > 0) break;
      throw new DeadlineExceeded('the job deadline passed before a timing sample was taken');
    }
    times[0].push(await candidate.timeRuns(runs[0]));
    times[1].push(await baseline.timeRuns(runs[1]));
  }
  await opts.checkpoint?.('after timing');
  return { candidate: summarize(times[0]), baseline: summarize(times[1]) };
}

/**
 * V8 compiles wasm with its baseline tier first and tiers a function up
 * between calls, so the first calls run 2-4x slower than steady state. Calls
 * until three batches in a row agree within 10%, or the budget is spent; the
 * steady per-call milliseconds.
 */
export async function warmUp(kernel: Kernel, budgetMs: number, stopAt = Infinity): Promise<number> {
  const start = performance.now();
  const perCall: number[] = [];
  let runs = 1;
  for (;;) {
    const ms = await kernel.timeRuns(runs);
    perCall.push(ms);
    // Batches of at least half a millisecond, so a tiny kernel's time is more than timer noise.
    if (ms * runs < 0.5) runs *= 2;
    const last = perCall.slice(-3);
    const settled = last.length === 3 && Math.max(...last) <= 1.1 * Math.min(...last);
    const now = performance.now();
    if (settled || now - start >= budgetMs || now > stopAt) return Math.min(...last);
  }
}

export function summarize(samples: readonly number[]): Sampled {
  return { medianMs: median(samples), p10Ms: quantile(samples, 0.1), p90Ms: quantile(samples, 0.9), samples: samples.length };
}

function relativeSpread(samples: readonly number[]): number {
  if (samples.length < 3) return Infinity;
  const s = summarize(samples);
  return (s.p90Ms - s.p10Ms) / s.medianMs;
}

/** The wire form: medians, spread, GFLOP/s from the op's FLOP count, and the side-by-side speedup. */
export function timingOf(problem: Problem, sides: { candidate: Sampled; baseline: Sampled }): Timing {
  const flops = opFor(problem).flops(problem);
  const gflops = (ms: number) => flops / (ms * 1e6);
  const { candidate, baseline } = sides;
  return {
    ...candidate,
    gflops: gflops(candidate.medianMs),
    baselineMedianMs: baseline.medianMs,
    baselineGflops: gflops(baseline.medianMs),
    speedup: baseline.medianMs / candidate.medianMs,
  };
}
