import { KevoError } from '../../lib/errors.ts';
import { quote } from '../../lib/quote.ts';
import type { Op, Precision, Tolerance } from './op.ts';
import { MatmulShape, type MatmulProblem } from './problem.ts';

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

function reference(p: MatmulProblem, [a, b]: readonly Float32Array[]): Float64Array {
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

function magnitude(p: MatmulProblem, [a, b]: readonly Float32Array[]): Float64Array {
  const absA = Float32Array.from(a!, Math.abs);
  const absB = Float32Array.from(b!, Math.abs);
  return reference(p, [absA, absB]);
}

function referenceAt(p: MatmulProblem, [a, b]: readonly Float32Array[], indices: ArrayLike<number>) {
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
    want[e] = sum;
    magnitude[e] = abs;
  }
  return { want, magnitude };
}

/** Unit roundoff per precision: f32 products and sums each round once (FMA rounds once per step). */
const unitRoundoff: Record<Precision, number> = { f32: 2 ** -24, 'f32-fma': 2 ** -24, f16: 2 ** -11 };

/**
 * Higham's bound for a length-K dot product is gamma_K = K*u/(1-K*u) times
 * sum|a||b|. That worst case is loose; blocked and pairwise orders do far
 * better, but a kernel may legally sum in any order, so we keep a K-linear
 * bound with a safety factor of 2 and a floor for tiny K.
 */
function tolerance(p: MatmulProblem, precision: Precision): Tolerance {
  const u = unitRoundoff[precision];
  const k = p.shape.k;
  return { abs: 1e-30, rel: 2 * Math.max(k + 2, 4) * u };
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
  parseShape,
  formatShape: ({ m, n, k }) => `${m}x${n}x${k}`,
  inputs: ({ shape: { m, n, k } }) => [
    { name: 'A', dims: [m, k] },
    { name: 'B', dims: [k, n] },
  ],
  output: ({ shape: { m, n } }) => ({ name: 'C', dims: [m, n] }),
  reference,
  magnitude,
  referenceAt,
  tolerance,
  flops: ({ shape: { m, n, k } }) => 2 * m * n * k,
  bytes: ({ shape: { m, n, k } }) => 4 * (m * k + k * n + m * n),
  edgeShapes,
};
