import type { Storage } from '../../dtypes/dtype.ts';
import type { Rng } from '../../../lib/rng.ts';
import type { IntDtypeName } from '../../dtypes/name.ts';
import type { MatmulProblem } from '../matmul-problem.ts';
import type { TensorSpec } from '../op.ts';
import type { MatmulScheme } from './scheme.ts';

/**
 * Integer matmul, exact: C[i,j] = sum over p of (A[i,p] - za) * (B[p,j] - zb)
 * in i32, wrapping mod 2^32 as i32 adds do (no saturation). Without zero
 * points za = zb = 0; with them (ONNX MatMulInteger) each is a one-element
 * tensor of its operand's dtype right after that operand in the ABI.
 */
export function integerScheme(a: IntDtypeName, b: IntDtypeName, zeroPoints: boolean): MatmulScheme {
  const inputs = ({ shape: { m, n, k } }: MatmulProblem): TensorSpec[] => [
    { name: 'A', dims: [m, k], dtype: a },
    ...(zeroPoints ? [{ name: 'a_zero_point', dims: [1], dtype: a }] : []),
    { name: 'B', dims: [k, n], dtype: b },
    ...(zeroPoints ? [{ name: 'b_zero_point', dims: [1], dtype: b }] : []),
  ];
  const operands = (tensors: readonly Storage[]) => {
    const [A, za, B, zb] = zeroPoints ? tensors : [tensors[0], undefined, tensors[1], undefined];
    return { A: A!, B: B!, za: za ? za[0]! : 0, zb: zb ? zb[0]! : 0 };
  };
  /** Exact sums (each product is below 2^17 and K at most 2^16, so f64 holds them), `wrap` applied at the end. */
  const dots = (p: MatmulProblem, tensors: readonly Storage[], indices: ArrayLike<number>, abs: boolean) => {
    const { A, B, za, zb } = operands(tensors);
    const { n, k } = p.shape;
    const out = new Float64Array(indices.length);
    for (let e = 0; e < indices.length; e++) {
      const row = Math.floor(indices[e]! / n) * k;
      const col = indices[e]! % n;
      let sum = 0;
      for (let q = 0; q < k; q++) {
        const product = (A[row + q]! - za) * (B[q * n + col]! - zb);
        sum += abs ? Math.abs(product) : product;
      }
      out[e] = abs ? sum : sum | 0;
    }
    return out;
  };
  /**
   * Every element at once, row by row, each product added with i32 wrapping: the same bits as the exact sum
   * wrapped (adds mod 2^32 commute), several times faster than `dots` element by element. A requantized
   * output needs all of C in every check, however big the problem.
   */
  const full = (p: MatmulProblem, tensors: readonly Storage[]) => {
    const { A, B, za, zb } = operands(tensors);
    const { m, n, k } = p.shape;
    const c = new Int32Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let q = 0; q < k; q++) {
        const a = A[i * k + q]! - za;
        for (let j = 0; j < n; j++) c[i * n + j] = (c[i * n + j]! + Math.imul(a, B[q * n + j]! - zb)) | 0;
      }
    }
    return Float64Array.from(c);
  };
  return exactScheme({
    inputs,
    dots,
    full,
    contract: `C is i32 and exact: ${zeroPoints ? '(A - a_zero_point) * (B - b_zero_point) ' : 'A * B '}summed in i32, which wraps mod 2^32 on overflow (no saturation, like i32.add).`,
  });
}

/** Output elements' sums (wrapped as the contract says), or with `abs` their magnitude bounds. */
type ExactDots = (p: MatmulProblem, tensors: readonly Storage[], indices: ArrayLike<number>, abs: boolean) => Float64Array;

/** A scheme whose C is i32 [M,N] and exact (compared bit for bit), from its inputs and its sums at any output elements. */
export function exactScheme(parts: {
  inputs: (p: MatmulProblem) => TensorSpec[];
  dots: ExactDots;
  /** The whole of C, when the scheme computes it faster than `dots` over every element. */
  full?: (p: MatmulProblem, tensors: readonly Storage[]) => Float64Array;
  contract: string;
  drawInput?: (p: MatmulProblem, input: number, inputCase: string, rng: Rng) => Storage | undefined;
}): MatmulScheme {
  const { dots } = parts;
  const all = (p: MatmulProblem) => Int32Array.from({ length: p.shape.m * p.shape.n }, (_, i) => i);
  return {
    inputs: parts.inputs,
    output: ({ shape: { m, n } }) => ({ name: 'C', dims: [m, n], dtype: 'i32' }),
    reference: (p, tensors) => parts.full?.(p, tensors) ?? dots(p, tensors, all(p), false),
    magnitude: (p, tensors) => dots(p, tensors, all(p), true),
    referenceAt: (p, tensors, indices) => ({ want: dots(p, tensors, indices, false), magnitude: dots(p, tensors, indices, true) }),
    tolerance: () => ({ abs: 0, rel: 0 }),
    exactOnIntegers: () => true,
    contract: parts.contract,
    ...(parts.drawInput ? { drawInput: parts.drawInput } : {}),
  };
}
