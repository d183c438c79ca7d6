import type { Storage } from '../../../dtypes/dtype.ts';
import { unitRoundoff, type Precision } from '../../accuracy.ts';
import { activate, activationError, epilogueParts } from '../../epilogue.ts';
import type { MatmulProblem } from '../../matmul-problem.ts';
import type { Tolerance } from '../../op.ts';
import type { MatmulScheme } from '../scheme.ts';

type F32s = readonly Float32Array[];

/** The epilogue's extra inputs, after A and B in ABI order: bias [N], then residual R [M,N]. */
function extras(p: MatmulProblem, inputs: F32s): { bias: Float32Array | null; residual: Float32Array | null } {
  const parts = epilogueParts(p.epilogue);
  const bias = parts.bias ? inputs[2]! : null;
  const residual = parts.residual ? inputs[parts.bias ? 3 : 2]! : null;
  return { bias, residual };
}

/** C[i,j] after the epilogue, from the plain product `sum` and its magnitude bound sum|a||b|. */
function epilogueAt(p: MatmulProblem, inputs: F32s, at: number, sum: number, abs: number): { want: number; magnitude: number } {
  const { activation } = epilogueParts(p.epilogue);
  const { bias, residual } = extras(p, inputs);
  const j = at % p.shape.n;
  let want = sum + (bias ? bias[j]! : 0);
  let magnitude = abs + (bias ? Math.abs(bias[j]!) : 0);
  if (activation) {
    want = activate[activation](want);
    magnitude *= activationError[activation].lipschitz;
  }
  if (residual) {
    want += residual[at]!;
    magnitude += Math.abs(residual[at]!);
  }
  return { want, magnitude };
}

function product(p: MatmulProblem, [a, b]: F32s): Float64Array {
  const { m, n, k } = p.shape;
  const c = new Float64Array(m * n);
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let kk = 0; kk < k; kk++) {
      const aik = a![i * k + kk]!;
      const bRow = kk * n;
      for (let j = 0; j < n; j++) row[j]! += aik * b![bRow + j]!;
    }
    c.set(row, i * n);
  }
  return c;
}

/** The f32 scheme's tensors are all Float32Array (the ABI says so). */
const f32s = (inputs: readonly Storage[]) => inputs as F32s;

function referenceAt(p: MatmulProblem, inputs: F32s, indices: ArrayLike<number>) {
  const [a, b] = inputs;
  const { n, k } = p.shape;
  // B transposed once, so each sampled element is two contiguous dot products rather than a strided walk down B.
  const bT = new Float32Array(k * n);
  for (let kk = 0; kk < k; kk++) for (let j = 0; j < n; j++) bT[j * k + kk] = b![kk * n + j]!;
  const want = new Float64Array(indices.length);
  const magnitude = new Float64Array(indices.length);
  for (let e = 0; e < indices.length; e++) {
    const aRow = Math.floor(indices[e]! / n) * k;
    const bCol = (indices[e]! % n) * k;
    let sum = 0;
    let abs = 0;
    for (let kk = 0; kk < k; kk++) {
      const product = a![aRow + kk]! * bT[bCol + kk]!;
      sum += product;
      abs += Math.abs(product);
    }
    const after = epilogueAt(p, inputs, indices[e]!, sum, abs);
    want[e] = after.want;
    magnitude[e] = after.magnitude;
  }
  return { want, magnitude };
}

/**
 * Higham's bound for a length-K dot product is gamma_K = K*u/(1-K*u) times
 * sum|a||b|. That worst case is loose; blocked and pairwise orders do far
 * better, but a kernel may legally sum in any order, so we keep a K-linear
 * bound with a safety factor of 2 and a floor for tiny K.
 */
function tolerance(p: MatmulProblem, precision: Precision): Tolerance {
  const u = unitRoundoff[precision];
  const k = p.shape.k;
  // The epilogue adds a rounding per add, and an activation its own evaluation error.
  const { bias, activation, residual } = epilogueParts(p.epilogue);
  const epilogue = Number(bias) + Number(residual) + (activation ? activationError[activation].roundings : 0);
  return { abs: 1e-30, rel: 2 * Math.max(k + 2 + epilogue, 4) * u };
}

/** A, B and C in f32, with the optional epilogue's bias [N] and residual R [M,N] after B. */
export const f32Scheme: MatmulScheme = {
  inputs: ({ shape: { m, n, k }, epilogue }) => {
    const { bias, residual } = epilogueParts(epilogue);
    return [
      { name: 'A', dims: [m, k], dtype: 'f32' },
      { name: 'B', dims: [k, n], dtype: 'f32' },
      ...(bias ? [{ name: 'bias', dims: [n], dtype: 'f32' as const }] : []),
      ...(residual ? [{ name: 'R', dims: [m, n], dtype: 'f32' as const }] : []),
    ];
  },
  output: ({ shape: { m, n } }) => ({ name: 'C', dims: [m, n], dtype: 'f32' }),
  reference: (p, inputs) => {
    const c = product(p, f32s(inputs));
    if (!p.epilogue) return c;
    return c.map((sum, at) => epilogueAt(p, f32s(inputs), at, sum, 0).want);
  },
  magnitude: (p, inputs) => {
    const [a, b] = f32s(inputs);
    const abs = product(p, [Float32Array.from(a!, Math.abs), Float32Array.from(b!, Math.abs)]);
    if (!p.epilogue) return abs;
    return abs.map((sumAbs, at) => epilogueAt(p, f32s(inputs), at, 0, sumAbs).magnitude);
  },
  referenceAt: (p, inputs, indices) => referenceAt(p, f32s(inputs), indices),
  tolerance,
  // GELU and SiLU go through exp: no longer exact on integers.
  exactOnIntegers: ({ epilogue }) => [null, 'relu'].includes(epilogueParts(epilogue).activation),
};
