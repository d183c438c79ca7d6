import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bf16, f16, f32, i32, matches, ulpDistance } from '../../../genome/dtypes/index.ts';

const strict = { abs: 0, rel: 0, nanEqual: true };

describe('comparison', () => {
  it('is exact for ints whatever the tolerance', () => {
    expect(matches(i32, 5, 5, { abs: 10, rel: 1, nanEqual: true })).toBe(true);
    expect(matches(i32, 5, 6, { abs: 10, rel: 1, nanEqual: true })).toBe(false);
  });

  it('takes abs + rel * scale for floats, the op scale when given', () => {
    const tol = { abs: 1e-6, rel: 1e-3, nanEqual: false };
    expect(matches(f32, 1.0009, 1, tol)).toBe(true);
    expect(matches(f32, 1.0011, 1, tol)).toBe(false);
    expect(matches(f32, 1.05, 1, tol, 100)).toBe(true);
    expect(matches(f32, 0, -0, strict)).toBe(true);
  });

  it('matches NaN with NaN only where the contract propagates NaN, and Inf only with the same Inf', () => {
    expect(matches(f32, NaN, NaN, strict)).toBe(true);
    expect(matches(f32, NaN, NaN, { ...strict, nanEqual: false })).toBe(false);
    expect(matches(f32, NaN, 1, { abs: Infinity, rel: 0, nanEqual: true })).toBe(false);
    expect(matches(f32, 1, NaN, { abs: Infinity, rel: 0, nanEqual: true })).toBe(false);
    expect(matches(f32, Infinity, Infinity, strict)).toBe(true);
    expect(matches(f32, -Infinity, Infinity, { abs: Infinity, rel: 0, nanEqual: true })).toBe(false);
    expect(matches(f32, 3e38, Infinity, { abs: 0, rel: 1, nanEqual: true })).toBe(false);
  });

  it('counts ulps in the format, across zero', () => {
    expect(ulpDistance(f32, 1, 1 + 2 ** -23)).toBe(1);
    expect(ulpDistance(f16, 1, 1 + 2 ** -10)).toBe(1);
    expect(ulpDistance(bf16, 1, 1 + 2 ** -7)).toBe(1);
    expect(ulpDistance(f16, 0, -0)).toBe(0);
    expect(ulpDistance(f16, 2 ** -24, -(2 ** -24))).toBe(2);
    expect(ulpDistance(f16, 65504, Infinity)).toBe(1);
    expect(ulpDistance(f32, NaN, 1)).toBe(Infinity);
    expect(matches(f16, 1 + 2 ** -9, 1, { ...strict, ulps: 2 })).toBe(true);
    expect(matches(f16, 1 + 2 ** -9 + 2 ** -10, 1, { ...strict, ulps: 2 })).toBe(false);
  });

  it('ulp distance is a metric on f16 values: symmetric, zero only for equal values, triangle inequality', () => {
    const half = fc.integer({ min: 0, max: 0xffff }).map((b) => f16.fromBits(b)).filter((v) => !Number.isNaN(v));
    fc.assert(
      fc.property(half, half, half, (a, b, c) => {
        expect(ulpDistance(f16, a, b)).toBe(ulpDistance(f16, b, a));
        expect(ulpDistance(f16, a, b) === 0).toBe(a === b);
        expect(ulpDistance(f16, a, c)).toBeLessThanOrEqual(ulpDistance(f16, a, b) + ulpDistance(f16, b, c));
      }),
    );
  });
});
