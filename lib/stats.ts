import { Rng } from './rng.ts';

/**
 * The one median and quantile of the project (timings, benchmarks): linear
 * interpolation between the closest ranks, so an even count's median is the
 * mean of the middle two.
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError('quantile of no values');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q}: expected a number in [0, 1]`);
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** A statistic with its confidence interval. */
export interface Interval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
}

/**
 * The median of `values` with a percentile-bootstrap confidence interval:
 * `resamples` times, draw as many values with replacement and take their
 * median; the interval holds the middle `confidence` of those medians. Seeded,
 * so the same values give the same interval anywhere. Few values give a wide
 * interval, as they should (one value: no width at all, so say so upstream).
 */
export function bootstrapMedian(values: readonly number[], options: { seed: number; resamples?: number; confidence?: number }): Interval {
  if (values.length === 0) throw new RangeError('bootstrap of no values');
  const { resamples = 2_000, confidence = 0.95 } = options;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence ${confidence}: expected a number in (0, 1)`);
  const rng = new Rng(options.seed);
  const medians = Array.from({ length: resamples }, () => median(Array.from(values, () => values[Math.floor(rng.next() * values.length)]!)));
  const tail = (1 - confidence) / 2;
  return { estimate: median(values), low: quantile(medians, tail), high: quantile(medians, 1 - tail) };
}

/** Whether two intervals share a point: the kernels behind them are not told apart (a tie). */
export function overlaps(a: Pick<Interval, 'low' | 'high'>, b: Pick<Interval, 'low' | 'high'>): boolean {
  return a.low <= b.high && b.low <= a.high;
}

/** Ranks from 1, ties sharing the mean of their ranks (what Spearman's rho needs). */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((value, i) => ({ value, i })).sort((a, b) => a.value - b.value);
  const out = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]!.value === order[start]!.value) end++;
    for (let k = start; k <= end; k++) out[order[k]!.i] = (start + end) / 2 + 1;
    start = end + 1;
  }
  return out;
}

/**
 * Spearman's rank correlation: Pearson's over the ranks, in [-1, 1]. 1: both
 * orders agree; -1: one is the other reversed. Undefined (NaN) when either
 * side has every value equal, or fewer than two pairs.
 */
export function spearman(a: readonly number[], b: readonly number[]): number {
  samePairs(a, b);
  if (a.length < 2) return NaN;
  return pearson(ranks(a), ranks(b));
}

/** Kendall's tau-b: concordant minus discordant pairs, corrected for ties; NaN as for spearman. */
export function kendallTau(a: readonly number[], b: readonly number[]): number {
  samePairs(a, b);
  let concordant = 0;
  let discordant = 0;
  let tiesA = 0;
  let tiesB = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const da = Math.sign(a[i]! - a[j]!);
      const db = Math.sign(b[i]! - b[j]!);
      if (da === 0 && db === 0) continue;
      if (da === 0) tiesA++;
      else if (db === 0) tiesB++;
      else if (da === db) concordant++;
      else discordant++;
    }
  }
  const denominator = Math.sqrt((concordant + discordant + tiesA) * (concordant + discordant + tiesB));
  return denominator === 0 ? NaN : (concordant - discordant) / denominator;
}

function pearson(x: readonly number[], y: readonly number[]): number {
  const mx = x.reduce((s, v) => s + v, 0) / x.length;
  const my = y.reduce((s, v) => s + v, 0) / y.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}

function samePairs(a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length) throw new RangeError(`rank correlation of ${a.length} and ${b.length} values: expected pairs`);
}
