import type { Storage } from '../../dtypes/dtype.ts';
import type { Rng } from '../../../lib/rng.ts';
import type { Precision } from '../accuracy.ts';
import type { MatmulProblem } from '../matmul-problem.ts';
import type { InputCase, TensorSpec, Tolerance } from '../op.ts';

/**
 * What one dtype scheme of matmul (problem.dtype) means: which tensors the
 * kernel ABI has and their dtypes, and the reference math over them. The
 * matmul op dispatches every call on problem.dtype (../matmul.ts); adding a
 * dtype is one scheme file in schemes/ and its line in schemes/index.ts.
 */
export interface MatmulScheme {
  /** The inputs in ABI order (A first, B after it, then what the scheme adds: zero points, scales). */
  inputs(p: MatmulProblem): TensorSpec[];
  /** The output, or the first of several (see Op.output). */
  output(p: MatmulProblem): TensorSpec;
  /** Every output in ABI order, for a scheme with several (i16 requantized: C and c_shift). */
  outputs?(p: MatmulProblem): TensorSpec[];
  reference(p: MatmulProblem, inputs: readonly Storage[]): Float64Array;
  /** Every output's reference, with `outputs`. */
  references?(p: MatmulProblem, inputs: readonly Storage[]): Float64Array[];
  magnitude(p: MatmulProblem, inputs: readonly Storage[]): Float64Array;
  referenceAt(p: MatmulProblem, inputs: readonly Storage[], indices: ArrayLike<number>): { want: Float64Array; magnitude: Float64Array };
  /** Float outputs only: an int output matches exactly or not at all. */
  tolerance(p: MatmulProblem, precision: Precision): Tolerance;
  exactOnIntegers(p: MatmulProblem): boolean;
  /** What this scheme adds to the op's contract, e.g. how the accumulator overflows. */
  readonly contract?: string;
  /** See Op.drawInput: scales and zero points the dtype's own generator would get wrong. */
  drawInput?(p: MatmulProblem, input: number, inputCase: InputCase, rng: Rng): Storage | undefined;
}
