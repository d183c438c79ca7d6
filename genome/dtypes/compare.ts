import type { Dtype, FloatDtype } from './dtype.ts';

/**
 * When a float element counts as equal to the reference. An element passes if
 * it is within abs + rel * scale of the wanted value (scale defaults to
 * |want|; an op passes its own magnitude bound), or within `ulps` steps of
 * the format. A NaN wanted matches a NaN got only where the contract
 * propagates NaN; an Inf wanted matches only the same Inf.
 */
export interface FloatTolerance {
  readonly abs: number;
  readonly rel: number;
  readonly ulps?: number;
  readonly nanEqual: boolean;
}

/** Ints compare exactly; floats by the tolerance (which ints ignore). */
export function matches(dtype: Dtype, got: number, want: number, tolerance: FloatTolerance, scale = Math.abs(want)): boolean {
  if (dtype.kind === 'int') return got === want;
  if (Number.isNaN(want) || Number.isNaN(got)) return tolerance.nanEqual && Number.isNaN(want) && Number.isNaN(got);
  if (!Number.isFinite(want) || !Number.isFinite(got)) return got === want;
  if (Math.abs(got - want) <= tolerance.abs + tolerance.rel * scale) return true;
  return tolerance.ulps !== undefined && ulpDistance(dtype, got, want) <= tolerance.ulps;
}

/**
 * How many representable values of the format lie between a and b (after
 * rounding both to it): 0 for +0 and -0, 1 for neighbours, across zero too.
 * NaN is infinitely far from everything.
 */
export function ulpDistance(dtype: FloatDtype, a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Infinity;
  return Math.abs(ordinal(dtype, a) - ordinal(dtype, b));
}

/** Bit patterns in value order: negative floats count down from zero. */
function ordinal(dtype: FloatDtype, x: number): number {
  const bits = dtype.toBits(x);
  const sign = 2 ** (dtype.bits - 1);
  return bits >= sign ? -(bits - sign) : bits;
}
