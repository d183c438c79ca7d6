import { describe, expect, it } from 'vitest';
import { drawNibbles, randomBytes, randomW4a8Inputs, randomW4Weights } from '../../../genome/ops/matmul/int4/inputs.ts';
import { unpackNibbles } from '../../../genome/dtypes/nibbles.ts';
import { int4Layout } from '../../../genome/ops/matmul/int4/layout.ts';
import { int4Rel, w4a8Reference, w4Reference, w4ReferenceAt, type Int4Dims } from '../../../genome/ops/matmul/int4/reference.ts';
import { Rng } from '../../../lib/rng.ts';
import { matMulNBitsSession } from '../../../testkit/ort-matmulnbits.ts';

/** Packs q[n][k] (K padded to whole groups with `pad`) into ORT's bytes by hand: byte j of a group holds k = 2j low, 2j + 1 high. */
function packByHand(q: number[][], d: Int4Dims, pad: number): Uint8Array {
  const l = int4Layout(d.n, d.k, d.group);
  const out: number[] = [];
  for (let n = 0; n < d.n; n++) {
    for (let k = 0; k < l.blocks * d.group; k += 2) {
      const lo = k < d.k ? q[n]![k]! : pad;
      const hi = k + 1 < d.k ? q[n]![k + 1]! : pad;
      out.push((lo & 15) | ((hi & 15) << 4));
    }
  }
  return Uint8Array.from(out);
}

describe('4-bit matmul reference over ORT MatMulNBits layout', () => {
  const d: Int4Dims = { m: 3, n: 4, k: 40, group: 32 };
  const rng = new Rng(7);
  const q = Array.from({ length: d.n }, () => Array.from({ length: d.k }, () => rng.int(0, 15)));
  const a = Float32Array.from({ length: d.m * d.k }, () => Math.fround(rng.normal()));
  const scales = Float32Array.from({ length: d.n * 2 }, (_, i) => 0.25 + i / 8);

  it('w4 dequantizes (q - zp) * scale per group, low nibble first, zero point 8 by default and packed ones when given', () => {
    const zps = [
      [3, 12],
      [0, 15],
      [8, 1],
      [5, 9],
    ];
    const zeroPoints = Uint8Array.from(zps.map(([g0, g1]) => g0! | (g1! << 4)));
    for (const withZp of [false, true]) {
      const { want, magnitude } = w4Reference(d, { a, b: packByHand(q, d, 15), scales, zeroPoints: withZp ? zeroPoints : null });
      for (let i = 0; i < d.m; i++) {
        for (let n = 0; n < d.n; n++) {
          let sum = 0;
          let abs = 0;
          for (let k = 0; k < d.k; k++) {
            const g = Math.floor(k / d.group);
            const w = (q[n]![k]! - (withZp ? zps[n]![g]! : 8)) * scales[n * 2 + g]!;
            sum += a[i * d.k + k]! * w;
            abs += Math.abs(a[i * d.k + k]! * w);
          }
          expect(want[i * d.n + n]).toBeCloseTo(sum, 12);
          expect(magnitude[i * d.n + n]).toBeCloseTo(abs, 12);
        }
      }
    }
  });

  it('w4 ignores the padding nibbles past K, as ORT does', () => {
    const zeros = w4Reference(d, { a, b: packByHand(q, d, 0), scales, zeroPoints: null });
    const fifteens = w4Reference(d, { a, b: packByHand(q, d, 15), scales, zeroPoints: null });
    expect(fifteens.want).toEqual(zeros.want);
  });

  it('w4a8 is aScale[i] * sum over groups of scale * (int8 A . signed nibbles)', () => {
    const x = randomW4a8Inputs(d, new Rng(3));
    const { want } = w4a8Reference(d, x);
    const l = int4Layout(d.n, d.k, d.group);
    for (let i = 0; i < d.m; i++) {
      for (let n = 0; n < d.n; n++) {
        let total = 0;
        for (let g = 0; g < l.blocks; g++) {
          let dot = 0;
          for (let k = g * d.group; k < Math.min(d.k, (g + 1) * d.group); k++) {
            const byte = x.b[(n * l.blocks * d.group + k) >> 1]!;
            const nibble = k & 1 ? byte >> 4 : byte & 15;
            dot += x.a[i * d.k + k]! * (nibble >= 8 ? nibble - 16 : nibble);
          }
          total += x.scales[n * l.blocks + g]! * dot;
        }
        expect(want[i * d.n + n]).toBeCloseTo(total * x.aScales[i]!, 10);
      }
    }
  });

  it('referenceAt agrees with the full reference on any sample, in any order', () => {
    const x = { a, ...randomW4Weights(d, true, new Rng(5)) };
    const full = w4Reference(d, x);
    const indices = [11, 0, 5, 11, 7, 2];
    const sampled = w4ReferenceAt(d, x, indices);
    expect(Array.from(sampled.want)).toEqual(indices.map((i) => full.want[i]));
    expect(Array.from(sampled.magnitude)).toEqual(indices.map((i) => full.magnitude[i]));
  });

  it("matches onnxruntime-web's MatMulNBits within the f32 error model (K not a multiple of G, with and without zero points)", async () => {
    for (const shape of [d, { m: 2, n: 7, k: 100, group: 64 }, { m: 1, n: 3, k: 256, group: 128 }]) {
      for (const zeroPoints of [false, true]) {
        const rng = new Rng(11);
        const w = randomW4Weights(shape, zeroPoints, rng);
        const a = Float32Array.from({ length: shape.m * shape.k }, () => Math.fround(rng.normal()));
        const session = await matMulNBitsSession(shape, w);
        const got = await session.run(a);
        await session.release();
        const { want, magnitude } = w4Reference(shape, { a, ...w });
        const rel = int4Rel(shape.k, 2 ** -24);
        for (let e = 0; e < want.length; e++) expect(Math.abs(got[e]! - want[e]!)).toBeLessThanOrEqual(rel * magnitude[e]!);
        // and the reference is not trivially small: the outputs differ from zero
        expect(want.some((v) => Math.abs(v) > 1e-3)).toBe(true);
      }
    }
  });

  it('draws uniform bytes, so the padding and every nibble value occur', () => {
    const bytes = randomBytes(4096, new Rng(1));
    const nibbles = new Set(Array.from(bytes, (b) => b & 15));
    expect(nibbles.size).toBe(16);
  });

  it("draws packed nibbles a byte at a time, at the int edge cases' values where the case names them", () => {
    const values = (inputCase: string, signed: boolean) => new Set(unpackNibbles(drawNibbles(512, signed, inputCase, new Rng(4)), 1024, signed));
    expect(values('min', false)).toEqual(new Set([0]));
    expect(values('max', true)).toEqual(new Set([7]));
    expect(values('extremes', true)).toEqual(new Set([-8, 7]));
    expect(values('small', false)).toEqual(new Set([0, 1, 2, 3]));
    expect(values('normal', true).size).toBe(16);
  });
});
