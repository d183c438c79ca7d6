import { getNibble } from '../../../dtypes/nibbles.ts';

/**
 * ONNX Runtime's MatMulNBits layout for 4-bit weights (docs/ContribOperators.md,
 * com.microsoft.MatMulNBits), so users can bring weights quantized for ORT:
 * - B: uint8 [N, ceil(K/G), G/2]: the weights of output column n along K, in
 *   blocks (groups) of G, two per byte, low nibble first (k even low, k odd high).
 *   K not a multiple of G is padded up to one, as ORT does: the padding
 *   nibbles are part of the buffer but of no output (any value is legal there).
 * - scales: f32 [N, ceil(K/G)], one per (column, group).
 * - zero points (optional): packed 4-bit [N, ceil(ceil(K/G) / 2)] bytes, the
 *   same nibble order; 8 for every group when absent (ORT's 2^(bits-1)).
 * Dequantized: W[k, n] = (q[n, k] - zp[n, k/G]) * scale[n, k/G], and C = A x W.
 * w4a8 uses the same B and scales with signed nibbles (two's complement -8..7)
 * and no zero points.
 */
export interface Int4Layout {
  readonly n: number;
  readonly k: number;
  readonly group: number;
  /** Groups per column: ceil(K / G). */
  readonly blocks: number;
  /** Bytes of B: N * blocks * G / 2. */
  readonly bBytes: number;
  /** Bytes of one column's zero points: ceil(blocks / 2). */
  readonly zeroPointRowBytes: number;
}

/** The unsigned default zero point when a problem has none (ORT: 2^(bits - 1)). */
export const DEFAULT_ZERO_POINT = 8;

export function int4Layout(n: number, k: number, group: number): Int4Layout {
  const blocks = Math.ceil(k / group);
  return { n, k, group, blocks, bBytes: (n * blocks * group) / 2, zeroPointRowBytes: Math.ceil(blocks / 2) };
}

/** Flat nibble index of weight (n, k) in B: the padded row is blocks * G nibbles. */
export const weightIndex = (l: Int4Layout, n: number, k: number): number => n * l.blocks * l.group + k;

/** q[n, k]: 0..15 unsigned (w4), -8..7 signed (w4a8). */
export function weightAt(b: Uint8Array, l: Int4Layout, n: number, k: number, signed: boolean): number {
  return getNibble(b, weightIndex(l, n, k), signed);
}

/** The zero point of column n's group g: its nibble in the packed zero points, or 8 without them. */
export function zeroPointAt(zeroPoints: Uint8Array | null, l: Int4Layout, n: number, g: number): number {
  return zeroPoints ? getNibble(zeroPoints, n * l.zeroPointRowBytes * 2 + g, false) : DEFAULT_ZERO_POINT;
}
