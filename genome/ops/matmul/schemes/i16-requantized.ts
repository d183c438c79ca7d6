import type { Storage } from '../../../dtypes/dtype.ts';
import type { MatmulProblem } from '../../matmul-problem.ts';
import type { TensorSpec } from '../../op.ts';
import type { MatmulScheme } from '../scheme.ts';

/** The largest shift any i32 needs: (2^31 - 1 + 2^16) >> 17 fits, >> 16 does not. */
export const MAX_SHIFT = 17;

/**
 * round(x / 2^s), half up: floor((x + 2^(s-1)) / 2^s) for s > 0, exact for
 * any i32 x (f64 holds x / 2^s + 0.5 exactly). It is SIMD's rounding shift
 * (ARM's srshr), which a kernel computes without overflow as
 * (x >> s) + ((x >> (s-1)) & 1).
 */
export function roundShift(x: number, s: number): number {
  return s === 0 ? x : Math.floor(x / 2 ** s + 0.5);
}

/**
 * The paper's down-conversion rule (Das et al., 2018): the smallest shift
 * s >= 0 for which every rounded element fits i16 without saturating. Rounding
 * is monotone, so C32's least and greatest elements decide.
 */
export function requantizeShift(least: number, greatest: number): number {
  let s = 0;
  while (roundShift(greatest, s) > 32767 || roundShift(least, s) < -32768) s++;
  return s;
}

/** C32 requantized: the i16 mantissas and the shift. */
export function requantize(c32: Float64Array): { c: Float64Array; shift: number } {
  let least = 0;
  let greatest = 0;
  for (const x of c32) {
    least = Math.min(least, x);
    greatest = Math.max(greatest, x);
  }
  const shift = requantizeShift(least, greatest);
  return { c: c32.map((x) => roundShift(x, shift)), shift };
}

/**
 * An i16 scheme (per tensor or with block exponents) with C requantized to
 * i16 dynamic fixed point, as the paper converts a layer's i32 output back
 * to int16 for the next: C i16 [M,N] and c_shift i8 [1], C ≈ C32 / 2^c_shift
 * rounded half up, so C's exponent is C32's plus c_shift. C32 is the inner
 * scheme's exact, wrapped i32 result: the shift comes from its bits, and
 * every kernel is compared bit for bit (a shift one too small saturates or
 * wraps on the harness's extremes; truncation is off by one on odd values).
 */
export function requantized(inner: MatmulScheme): MatmulScheme {
  const outputs = (p: MatmulProblem): TensorSpec[] => [
    { name: 'C', dims: [p.shape.m, p.shape.n], dtype: 'i16' },
    { name: 'c_shift', dims: [1], dtype: 'i8' },
  ];
  const references = (p: MatmulProblem, inputs: readonly Storage[]) => {
    const { c, shift } = requantize(inner.reference(p, inputs));
    return [c, Float64Array.of(shift)];
  };
  return {
    ...inner,
    output: (p) => outputs(p)[0]!,
    outputs,
    reference: (p, inputs) => references(p, inputs)[0]!,
    references,
    // C's elements need the shift, which needs every element of C32: a sample costs the whole reference.
    referenceAt: (p, inputs, indices) => {
      const c = references(p, inputs)[0]!;
      return { want: Float64Array.from(indices, (i) => c[i]!), magnitude: inner.referenceAt(p, inputs, indices).magnitude };
    },
    contract: `${inner.contract} Then requantized (the INT16 paper's rule): outputs C i16 [M,N] and c_shift i8 [1]; c_shift = the smallest s >= 0 such that round(C32 / 2^s) lies in [-32768, 32767] for every element of the i32 result C32, where round(x / 2^s) = floor((x + 2^(s-1)) / 2^s) for s > 0 (half up, exactly as (x >> s) + ((x >> (s-1)) & 1) in i32), and C = round(C32 / 2^c_shift); C's exponent is C32's plus c_shift.`,
  };
}
