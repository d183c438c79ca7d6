import { f16, type Storage } from '../../../dtypes/index.ts';
import { unitRoundoff, type Precision } from '../../accuracy.ts';
import type { MatmulProblem } from '../../matmul-problem.ts';
import type { Tolerance } from '../../op.ts';
import type { MatmulScheme } from '../scheme.ts';
import { f32Scheme } from './f32.ts';

/** f16 bits -> f32 values: exact, every f16 is an f32, so the f32 scheme's f64 math runs on them unchanged. */
const decoded = (inputs: readonly Storage[]) => inputs.map((bits) => Float32Array.from(bits as Uint16Array, (b) => f16.fromBits(b)));

/**
 * The accumulation error of the kernel's precision over K (as f32's model:
 * gamma_K with a safety factor of 2), plus one rounding of the result to f16
 * (|C| <= sum|a||b|, so it is relative to the magnitude too; doubled, since
 * WGSL lets an f32 -> f16 conversion round either way), plus half of f16's
 * smallest subnormal step for results below its normal range.
 */
function tolerance(p: MatmulProblem, precision: Precision): Tolerance {
  const steps = Math.max(p.shape.k + 2, 4);
  return { abs: f16.limits.minSubnormal, rel: 2 * (steps * unitRoundoff[precision] + f16.limits.unit) };
}

/**
 * A f16 [M,K] x B f16 [K,N] -> C f16 [M,N], each stored as its bits
 * (Uint16Array). The reference is the f64 product of the decoded values; a
 * kernel may accumulate in f32 or f16 (its genome's precision says which,
 * and that picks the error model). No epilogue.
 */
export const f16Scheme: MatmulScheme = {
  inputs: ({ shape: { m, n, k } }) => [
    { name: 'A', dims: [m, k], dtype: 'f16' },
    { name: 'B', dims: [k, n], dtype: 'f16' },
  ],
  output: ({ shape: { m, n } }) => ({ name: 'C', dims: [m, n], dtype: 'f16' }),
  reference: (p, inputs) => f32Scheme.reference(p, decoded(inputs)),
  magnitude: (p, inputs) => f32Scheme.magnitude(p, decoded(inputs)),
  referenceAt: (p, inputs, indices) => f32Scheme.referenceAt(p, decoded(inputs), indices),
  tolerance,
  // Integer inputs give integer sums, but f16 holds integers exactly only up to 2048: not exact in general.
  exactOnIntegers: () => false,
  contract: 'A, B and C are f16 (IEEE binary16, stored as their bits); the products may be summed in f32 or f16, and C is rounded to f16 once.',
};
