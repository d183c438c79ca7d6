import { KevoError } from '../../lib/errors.ts';
import { quote } from '../../lib/quote.ts';
import type { Precision } from './accuracy.ts';
import { applyEpilogueAt, dotTolerance, epilogueParts } from './epilogue.ts';
import { MatmulProblem, MatmulShape } from './matmul-problem.ts';
import type { Op, Tolerance } from './op.ts';

function parseShape(text: string): MatmulShape {
  const parts = text.trim().split(/x/i);
  const dims = parts.map((p) => (/^\d+$/.test(p.trim()) ? Number(p.trim()) : NaN));
  if (dims.length !== 3 || dims.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    throw new KevoError('BAD_INPUT', `shape ${quote(text)}: expected MxNxK with positive integers, e.g. 512x512x512`);
  }
  const parsed = MatmulShape.safeParse({ m: dims[0], n: dims[1], k: dims[2] });
  if (!parsed.success) {
    throw new KevoError('BAD_INPUT', `shape ${quote(text)}: ${parsed.error.issues.map((i) => `${String(i.path[0])} ${i.message}`).join(', ')}`);
  }
  return parsed.data;
}

/** The epilogue's extra inputs, after A and B in ABI order: bias [N], then residual R [M,N]. */
function extras(p: MatmulProblem, inputs: readonly Float32Array[]): { bias: Float32Array | null; residual: Float32Array | null } {
  const parts = epilogueParts(p.epilogue);
  const bias = parts.bias ? inputs[2]! : null;
  const residual = parts.residual ? inputs[parts.bias ? 3 : 2]! : null;
  return { bias, residual };
}

/** C[i,j] after the epilogue, from the plain product `sum` and its magnitude bound sum|a||b|. */
function epilogueAt(p: MatmulProblem, inputs: readonly Float32Array[], at: number, sum: number, abs: number): { want: number; magnitude: number } {
  const { bias, residual } = extras(p, inputs);
  return applyEpilogueAt(epilogueParts(p.epilogue), { bias, residual }, at % p.shape.n, at, sum, abs);
}

function product(p: MatmulProblem, [a, b]: readonly Float32Array[]): Float64Array {
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

function reference(p: MatmulProblem, inputs: readonly Float32Array[]): Float64Array {
  const c = product(p, inputs);
  if (!p.epilogue) return c;
  return c.map((sum, at) => epilogueAt(p, inputs, at, sum, 0).want);
}

function magnitude(p: MatmulProblem, inputs: readonly Float32Array[]): Float64Array {
  const [a, b] = inputs;
  const abs = product(p, [Float32Array.from(a!, Math.abs), Float32Array.from(b!, Math.abs)]);
  if (!p.epilogue) return abs;
  return abs.map((sumAbs, at) => epilogueAt(p, inputs, at, 0, sumAbs).magnitude);
}

function referenceAt(p: MatmulProblem, inputs: readonly Float32Array[], indices: ArrayLike<number>) {
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

/** A length-K dot product per element (genome/ops/epilogue.ts: dotTolerance). */
function tolerance(p: MatmulProblem, precision: Precision): Tolerance {
  return dotTolerance(p.shape.k, epilogueParts(p.epilogue), precision);
}

function edgeShapes(p: MatmulProblem): MatmulProblem[] {
  const { m, n, k } = p.shape;
  const small = (d: number, alt: number) => Math.max(1, Math.min(d, alt));
  const shapes: MatmulShape[] = [
    { m: 1, n: 1, k: 1 },
    { m: small(m, 7), n: small(n, 5), k: small(k, 3) },
    { m: small(m, 17), n: small(n, 33), k: small(k, 9) },
    { m: small(m, 13), n: small(n, 4), k: small(k, 64) },
    { m: small(m, 65), n: small(n, 67), k: small(k, 31) },
  ];
  const seen = new Set<string>([`${m}x${n}x${k}`]);
  const out: MatmulProblem[] = [];
  for (const s of shapes) {
    const key = `${s.m}x${s.n}x${s.k}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ...p, shape: s });
  }
  return out;
}

export const matmul: Op<MatmulProblem> = {
  name: 'matmul',
  problem: MatmulProblem,
  contract: { formula: 'C[i,j] = sum over p of A[i,p] * B[p,j]', magnitude: 'sum over p of |A[i,p]| * |B[p,j]|' },
  parseShape,
  formatShape: ({ m, n, k }) => `${m}x${n}x${k}`,
  inputs: ({ shape: { m, n, k }, dtype, epilogue }) => {
    const { bias, residual } = epilogueParts(epilogue);
    return [
      { name: 'A', dims: [m, k], dtype },
      { name: 'B', dims: [k, n], dtype },
      ...(bias ? [{ name: 'bias', dims: [n], dtype }] : []),
      ...(residual ? [{ name: 'R', dims: [m, n], dtype }] : []),
    ];
  },
  output: ({ shape: { m, n }, dtype }) => ({ name: 'C', dims: [m, n], dtype }),
  reference,
  magnitude,
  referenceAt,
  tolerance,
  flops: ({ shape: { m, n, k } }) => 2 * m * n * k,
  bytes: ({ shape: { m, n, k }, epilogue }) => {
    const { bias, residual } = epilogueParts(epilogue);
    return 4 * (m * k + k * n + m * n + (bias ? n : 0) + (residual ? m * n : 0));
  },
  // GELU and SiLU go through exp: no longer exact on integers.
  exactOnIntegers: ({ epilogue }) => [null, 'relu'].includes(epilogueParts(epilogue).activation),
  variant: ({ epilogue }) => (epilogue ? epilogue.join('+') : undefined),
  edgeShapes,
};
