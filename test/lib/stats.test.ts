import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { median, quantile } from '../../lib/stats.ts';

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
