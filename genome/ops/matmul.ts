import { KevoError } from '../../lib/errors.ts';
import { quote } from '../../lib/quote.ts';
import { dtypeOf } from '../dtypes/dtype.ts';
import { MatmulProblem, MatmulShape, weightsByDefault } from './matmul-problem.ts';
import type { MatmulScheme } from './matmul/scheme.ts';
import { i16BlocksScheme } from './matmul/schemes/i16-blocks.ts';
import { requantized } from './matmul/schemes/i16-requantized.ts';
import { matmulSchemes } from './matmul/schemes/index.ts';
import { elementCount, type Op, type TensorSpec } from './op.ts';

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

const requantizedSchemes = { perTensor: requantized(matmulSchemes.i16!), blocks: requantized(i16BlocksScheme) };

/** The problem's dtype scheme (the problem schema refuses a dtype without one); i16 with exponent blocks, and i16 with an i16 output, are their own. */
function scheme(p: MatmulProblem): MatmulScheme {
  if (p.output === 'i16') return p.exponentBlock ? requantizedSchemes.blocks : requantizedSchemes.perTensor;
  return p.exponentBlock ? i16BlocksScheme : matmulSchemes[p.dtype]!;
}

function outputs(p: MatmulProblem): TensorSpec[] {
  return scheme(p).outputs?.(p) ?? [scheme(p).output(p)];
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
  dtypeContract: (p) => scheme(p).contract,
  inputs: (p) => scheme(p).inputs(p),
  output: (p) => scheme(p).output(p),
  outputs,
  reference: (p, inputs) => scheme(p).reference(p, inputs),
  references: (p, inputs) => scheme(p).references?.(p, inputs) ?? [scheme(p).reference(p, inputs)],
  magnitude: (p, inputs) => scheme(p).magnitude(p, inputs),
  referenceAt: (p, inputs, indices) => scheme(p).referenceAt(p, inputs, indices),
  drawInput: (p, input, inputCase, rng) => scheme(p).drawInput?.(p, input, inputCase, rng),
  tolerance: (p, precision) => scheme(p).tolerance(p, precision),
  flops: ({ shape: { m, n, k } }) => 2 * m * n * k,
  // Every tensor once, at its dtype's size (packed 4-bit: half a byte).
  bytes: (p) => [...scheme(p).inputs(p), ...outputs(p)].reduce((sum, t) => sum + dtypeOf(t.dtype).storageBytes(elementCount(t.dims)), 0),
  exactOnIntegers: (p) => scheme(p).exactOnIntegers(p),
  weightsFixed: (p) => (p.weights ?? weightsByDefault(p.dtype)) === 'fixed',
  // What else makes a different kernel: the epilogue, w4's zero points, i16's exponent blocks and requantized output, weights other than the scheme's default.
  variant: ({ epilogue, zeroPoint, exponentBlock, output, weights, dtype }) =>
    [
      ...(epilogue ?? []),
      ...(zeroPoint ? ['zp'] : []),
      ...(exponentBlock ? [`e${exponentBlock}`] : []),
      ...(output === 'i16' ? ['out16'] : []),
      ...(weights && weights !== weightsByDefault(dtype) ? [`${weights}-weights`] : []),
    ].join('+') || undefined,
  edgeShapes,
};
