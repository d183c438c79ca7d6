import type { Rng } from '../../../../lib/rng.ts';
import { int4Layout } from './layout.ts';
import type { Int4Dims, W4a8Inputs, W4Inputs } from './reference.ts';

/**
 * Draws for the quantized tensors. Packed bytes are uniform over 0..255, so
 * every nibble value and the padding of a K that is not a multiple of G hold
 * anything (a kernel reading the padding shows). Scales are positive and
 * finite, spread over a few binades as real quantization scales are
 * (max|w| / 7 of a weight group).
 */
export function randomBytes(count: number, rng: Rng): Uint8Array {
  const bytes = new Uint8Array(count);
  for (let i = 0; i < count; i++) bytes[i] = rng.int(0, 255);
  return bytes;
}

export function randomScales(count: number, rng: Rng): Float32Array {
  const scales = new Float32Array(count);
  for (let i = 0; i < count; i++) scales[i] = 2 ** (-7 * rng.next()) * (0.5 + rng.next());
  return scales;
}

export function randomW4Weights(d: Int4Dims, zeroPoints: boolean, rng: Rng): Omit<W4Inputs, 'a'> {
  const l = int4Layout(d.n, d.k, d.group);
  return {
    b: randomBytes(l.bBytes, rng),
    scales: randomScales(d.n * l.blocks, rng),
    zeroPoints: zeroPoints ? randomBytes(d.n * l.zeroPointRowBytes, rng) : null,
  };
}

export function randomW4a8Inputs(d: Int4Dims, rng: Rng): W4a8Inputs {
  const l = int4Layout(d.n, d.k, d.group);
  const a = new Int8Array(d.m * d.k);
  for (let i = 0; i < a.length; i++) a[i] = rng.int(-128, 127);
  return { a, aScales: randomScales(d.m, rng), b: randomBytes(l.bBytes, rng), scales: randomScales(d.n * l.blocks, rng) };
}
