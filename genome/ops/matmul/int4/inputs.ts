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
  // four bytes per draw
  for (let i = 0; i < count; i += 4) {
    const word = Math.floor(rng.next() * 2 ** 32);
    for (let b = 0; b < 4 && i + b < count; b++) bytes[i + b] = (word >>> (8 * b)) & 255;
  }
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

/** The nibble values an int input case draws (verifiers/edges.ts, inputs.ts), for u4 (0..15) or i4 (-8..7). */
function caseNibbles(inputCase: string, signed: boolean): readonly number[] | null {
  const [min, max] = signed ? [-8, 7] : [0, 15];
  switch (inputCase) {
    case 'min':
      return [min];
    case 'max':
      return [max];
    case 'extremes':
      return [min, max];
    case 'edge values':
      return [...new Set([min, min + 1, -1, 0, 1, max - 1, max])].filter((v) => v >= min && v <= max);
    case 'small':
      return [-3, -2, -1, 0, 1, 2, 3].filter((v) => v >= min && v <= max);
    default:
      return null;
  }
}

/**
 * Packed nibbles drawn a byte at a time (the harness's element-wise draw
 * takes seconds for the 16M nibbles of a 4096 x 4096 B): the int edge cases'
 * values where the case names them, uniform bytes (every nibble value)
 * otherwise.
 */
export function drawNibbles(bytes: number, signed: boolean, inputCase: string, rng: Rng): Uint8Array {
  const values = caseNibbles(inputCase, signed);
  if (!values) return randomBytes(bytes, rng);
  const out = new Uint8Array(bytes);
  const pick = () => values[Math.floor(rng.next() * values.length)]! & 15;
  for (let i = 0; i < bytes; i++) out[i] = pick() | (pick() << 4);
  return out;
}
