import type { Precision } from '../../accuracy.ts';
import { dotTolerance, epilogueParts } from '../../epilogue.ts';
import { decodeHalves, f16Output } from '../../f16-output.ts';
import type { MatmulProblem } from '../../matmul-problem.ts';
import type { Tolerance } from '../../op.ts';
import type { MatmulScheme } from '../scheme.ts';
import { f32Scheme } from './f32.ts';

/** The accumulation error of the kernel's precision over K (f32's model), then one rounding of C to f16. */
const tolerance = (p: MatmulProblem, precision: Precision): Tolerance => f16Output(dotTolerance(p.shape.k, epilogueParts(undefined), precision));

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
  reference: (p, inputs) => f32Scheme.reference(p, decodeHalves(inputs)),
  magnitude: (p, inputs) => f32Scheme.magnitude(p, decodeHalves(inputs)),
  referenceAt: (p, inputs, indices) => f32Scheme.referenceAt(p, decodeHalves(inputs), indices),
  tolerance,
  // Integer inputs give integer sums, but f16 holds integers exactly only up to 2048: not exact in general.
  exactOnIntegers: () => false,
  contract: 'A, B and C are f16 (IEEE binary16, stored as their bits); the products may be summed in f32 or f16, and C is rounded to f16 once.',
};
