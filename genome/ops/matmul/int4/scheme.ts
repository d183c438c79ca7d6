import type { Storage } from '../../../dtypes/dtype.ts';
import type { Rng } from '../../../../lib/rng.ts';
import { unitRoundoff } from '../../accuracy.ts';
import type { MatmulProblem } from '../../matmul-problem.ts';
import { drawNibbles, randomScales } from './inputs.ts';
import { dtypeOf } from '../../../dtypes/dtype.ts';
import { int4Layout } from './layout.ts';
import { int4Rel, type Int4Dims, type Sampled } from './reference.ts';
import type { MatmulScheme } from '../scheme.ts';
import { elementCount, type TensorSpec } from '../../op.ts';

/**
 * Where the float edge cases put the 4-bit schemes' float tensors, as powers
 * of two. The harness scales A by 2^123 and B by 2^-123 for "huge x tiny",
 * but B is integers here: the scales take the tiny part, and A only 2^100,
 * since a kernel may legally sum a group's unscaled products A * (q - zp)
 * first (up to 15 * G of them: 2^111 at most, no overflow). "huge" and
 * "subnormal" move the scales with A, so products still overflow or go
 * subnormal where the stage expects them to.
 */
const CASE_BINADES: Record<string, Record<string, number>> = {
  'huge x tiny': { A: 100, a_scales: 100, scales: -100 },
  huge: { a_scales: 60, scales: 60 },
  subnormal: { a_scales: -64, scales: -64 },
};

/** The problem's shape and group (32 unless it says). */
export function int4Dims(p: MatmulProblem): Int4Dims {
  return { ...p.shape, group: p.group ?? 32 };
}

/**
 * The parts both 4-bit schemes share (int4/layout.ts has the layout): the
 * reference at sampled elements of a dequantized dot product, the error model,
 * and positive finite scales (drawn by the scheme for every input case, as
 * real quantization scales are) at the inputs `scaleInputs` names.
 */
export function int4Scheme(spec: {
  inputs(p: MatmulProblem): TensorSpec[];
  referenceAt(d: Int4Dims, inputs: readonly Storage[], indices: ArrayLike<number>): Sampled;
  contract: string;
}): MatmulScheme {
  const all = (p: MatmulProblem) => Int32Array.from({ length: p.shape.m * p.shape.n }, (_, i) => i);
  return {
    inputs: spec.inputs,
    output: ({ shape: { m, n } }) => ({ name: 'C', dims: [m, n], dtype: 'f32' }),
    reference: (p, inputs) => spec.referenceAt(int4Dims(p), inputs, all(p)).want,
    magnitude: (p, inputs) => spec.referenceAt(int4Dims(p), inputs, all(p)).magnitude,
    referenceAt: (p, inputs, indices) => spec.referenceAt(int4Dims(p), inputs, indices),
    tolerance: (p, precision) => ({ abs: 1e-30, rel: int4Rel(p.shape.k, unitRoundoff[precision]) }),
    // Scales are not integers: no output is exact.
    exactOnIntegers: () => false,
    contract: spec.contract,
    drawInput: (p: MatmulProblem, input: number, inputCase: string, rng: Rng) => {
      const tensor = spec.inputs(p)[input]!;
      const binade = CASE_BINADES[inputCase]?.[tensor.name];
      if (/scales$/.test(tensor.name)) return randomScales(elementCount(tensor.dims), rng).map((s) => s * 2 ** (binade ?? 0));
      if (tensor.dtype === 'u4' || tensor.dtype === 'i4') return drawNibbles(dtypeOf(tensor.dtype).storageBytes(elementCount(tensor.dims)), tensor.dtype === 'i4', inputCase, rng);
      if (binade === undefined || tensor.dtype !== 'f32') return undefined;
      return Float32Array.from({ length: elementCount(tensor.dims) }, () => rng.normal() * 2 ** binade);
    },
  };
}

/** B as ORT stores it: [N, ceil(K/G), G] nibbles, i.e. [N, ceil(K/G), G/2] bytes. */
export function packedB(p: MatmulProblem, dtype: 'u4' | 'i4'): TensorSpec {
  const d = int4Dims(p);
  return { name: 'B', dims: [d.n, int4Layout(d.n, d.k, d.group).blocks, d.group], dtype };
}

export const blockScales = (p: MatmulProblem): TensorSpec => {
  const d = int4Dims(p);
  return { name: 'scales', dims: [d.n, int4Layout(d.n, d.k, d.group).blocks], dtype: 'f32' };
};
