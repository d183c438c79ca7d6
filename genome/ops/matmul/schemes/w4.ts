import { int4Layout } from '../int4/layout.ts';
import { w4ReferenceAt } from '../int4/reference.ts';
import { blockScales, int4Dims, int4Scheme, packedB } from '../int4/scheme.ts';

/**
 * w4 (ONNX Runtime's MatMulNBits, bits 4): A f32 [M,K] x B 4-bit [N, K/G
 * groups of G] with an f32 scale per (column, group) and, when the problem
 * says zeroPoint, packed u4 zero points [N, ceil(groups/2) bytes]; else 8.
 */
export const w4Scheme = int4Scheme({
  inputs: (p) => {
    const d = int4Dims(p);
    const l = int4Layout(d.n, d.k, d.group);
    return [
      { name: 'A', dims: [d.m, d.k], dtype: 'f32' },
      packedB(p, 'u4'),
      blockScales(p),
      ...(p.zeroPoint ? [{ name: 'zero_points', dims: [d.n, 2 * l.zeroPointRowBytes], dtype: 'u4' as const }] : []),
    ];
  },
  referenceAt: (d, [a, b, scales, zeroPoints], indices) =>
    w4ReferenceAt(d, { a: a as Float32Array, b: b as Uint8Array, scales: scales as Float32Array, zeroPoints: (zeroPoints as Uint8Array | undefined) ?? null }, indices),
  contract:
    "C f32 = A x W with W[k, n] = (q[n, k] - zero_point[n, k/G]) * scales[n, k/G] (ONNX Runtime MatMulNBits): B uint8 [N, ceil(K/G), G/2], two 4-bit q per byte along K, low nibble first; K padded to whole groups (padding nibbles hold anything and count for nothing); zero points packed the same way per column, 8 when absent.",
});
