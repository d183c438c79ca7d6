import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bootstrapMedian, kendallTau, median, overlaps, quantile, ranks, spearman } from '../../lib/stats.ts';

describe('median and quantile', () => {
  it('take the middle value, or the mean of the middle two, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(quantile([10, 0, 20, 30, 40], 0.1)).toBe(4);
    expect(quantile([5, 1], 0)).toBe(1);
    expect(quantile([5, 1], 1)).toBe(5);
  });

  it('refuse no values and a q outside [0, 1]', () => {
    expect(() => median([])).toThrow(new RangeError('quantile of no values'));
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
    expect(() => quantile([1], NaN)).toThrow(RangeError);
  });

  it('lie between the least and the greatest value, and grow with q', () => {
    const values = fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1 });
    fc.assert(
      fc.property(values, fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (xs, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(quantile(xs, lo)).toBeGreaterThanOrEqual(Math.min(...xs));
        expect(quantile(xs, hi)).toBeLessThanOrEqual(Math.max(...xs));
        expect(quantile(xs, lo)).toBeLessThanOrEqual(quantile(xs, hi));
      }),
    );
  });
});

describe('bootstrapMedian', () => {
  const ratios = [1.31, 1.22, 1.4, 1.27, 1.35, 1.19, 1.3];

  it('brackets the median, is seeded, and narrows as rounds agree', () => {
    const ci = bootstrapMedian(ratios, { seed: 7 });
    expect(ci.estimate).toBe(1.3);
    expect(ci.low).toBeLessThan(ci.estimate);
    expect(ci.high).toBeGreaterThan(ci.estimate);
    expect(bootstrapMedian(ratios, { seed: 7 })).toEqual(ci);
    const tight = bootstrapMedian(ratios.map((r) => 1.3 + (r - 1.3) / 10), { seed: 7 });
    expect(tight.high - tight.low).toBeLessThan((ci.high - ci.low) / 5);
  });

  it('refuses no values and a confidence outside (0, 1)', () => {
    expect(() => bootstrapMedian([], { seed: 1 })).toThrow(new RangeError('bootstrap of no values'));
    expect(() => bootstrapMedian([1], { seed: 1, confidence: 1 })).toThrow(RangeError);
  });

  it('always lies within the values, whatever they are', () => {
    const values = fc.array(fc.double({ noNaN: true, min: 0.01, max: 100 }), { minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(values, fc.nat(), (xs, seed) => {
        const ci = bootstrapMedian(xs, { seed, resamples: 200 });
        expect(ci.low).toBeGreaterThanOrEqual(Math.min(...xs));
        expect(ci.high).toBeLessThanOrEqual(Math.max(...xs));
        expect(ci.low).toBeLessThanOrEqual(ci.high);
      }),
      { numRuns: 100 },
    );
  });

  it('covers the true median of a noisy ratio most of the time (95% nominal)', () => {
    let covered = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      // Log-normal noise around a true speedup of 1.5: its median is 1.5.
      const xs = Array.from({ length: 15 }, (_, i) => 1.5 * Math.exp(0.1 * Math.sin(t * 31 + i * 17.3) * Math.sqrt(3)));
      const ci = bootstrapMedian(xs, { seed: t, resamples: 400 });
      if (ci.low <= 1.5 && 1.5 <= ci.high) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.8);
  });
});

describe('overlaps', () => {
  it('is a tie when the intervals share a point', () => {
    expect(overlaps({ low: 1, high: 2 }, { low: 2, high: 3 })).toBe(true);
    expect(overlaps({ low: 1, high: 2 }, { low: 2.1, high: 3 })).toBe(false);
    expect(overlaps({ low: 1, high: 5 }, { low: 2, high: 3 })).toBe(true);
  });
});

describe('rank correlations', () => {
  it('rank with ties sharing their mean rank', () => {
    expect(ranks([10, 30, 20, 20])).toEqual([1, 4, 2.5, 2.5]);
  });

  it('are 1 for the same order, -1 reversed, NaN without variation', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 400])).toBeCloseTo(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1);
    expect(kendallTau([1, 2, 3, 4], [10, 20, 30, 400])).toBeCloseTo(1);
    expect(kendallTau([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
    expect(kendallTau([1], [2])).toBeNaN();
    expect(() => spearman([1, 2], [1])).toThrow(RangeError);
  });

  it('match the textbook values', () => {
    // One swap among five: rho = 1 - 6*2/(5*24) = 0.9, tau = (9 - 1)/10 = 0.8.
    expect(spearman([1, 2, 3, 4, 5], [1, 2, 3, 5, 4])).toBeCloseTo(0.9);
    expect(kendallTau([1, 2, 3, 4, 5], [1, 2, 3, 5, 4])).toBeCloseTo(0.8);
  });

  it('lie in [-1, 1], are symmetric, and ignore monotone rescaling', () => {
    const pairs = fc.array(fc.tuple(fc.integer({ min: -50, max: 50 }), fc.integer({ min: -50, max: 50 })), { minLength: 2, maxLength: 20 });
    fc.assert(
      fc.property(pairs, (ps) => {
        const a = ps.map((p) => p[0]);
        const b = ps.map((p) => p[1]);
        for (const f of [spearman, kendallTau]) {
          const r = f(a, b);
          if (Number.isNaN(r)) continue;
          expect(Math.abs(r)).toBeLessThanOrEqual(1 + 1e-12);
          expect(f(b, a)).toBeCloseTo(r, 12);
          expect(f(a.map((x) => Math.exp(x / 10)), b)).toBeCloseTo(r, 12);
        }
      }),
    );
  });
});
