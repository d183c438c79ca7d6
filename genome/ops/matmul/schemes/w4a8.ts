import { w4a8ReferenceAt } from '../int4/reference.ts';
import { blockScales, int4Dims, int4Scheme, packedB } from '../int4/scheme.ts';

/**
 * w4a8 (COMET-style): A int8 [M,K] with an f32 scale per row x B signed 4-bit
 * in ORT's layout with an f32 scale per (column, group). ABI order as ONNX's
 * MatMulIntegerToFloat: A, B, a_scales, scales.
 */
export const w4a8Scheme = int4Scheme({
  inputs: (p) => {
    const d = int4Dims(p);
    return [{ name: 'A', dims: [d.m, d.k], dtype: 'i8' }, packedB(p, 'i4'), { name: 'a_scales', dims: [d.m], dtype: 'f32' }, blockScales(p)];
  },
  referenceAt: (d, [a, b, aScales, scales], indices) =>
    w4a8ReferenceAt(d, { a: a as Int8Array, b: b as Uint8Array, aScales: aScales as Float32Array, scales: scales as Float32Array }, indices),
  contract:
    'C f32 = a_scales[i] * sum over groups g of scales[n, g] * (sum over k in g of A[i, k] * q[n, k]): A int8, q signed 4-bit (two\'s complement, -8..7) in B uint8 [N, ceil(K/G), G/2], low nibble first, K padded to whole groups (padding counts for nothing).',
});
