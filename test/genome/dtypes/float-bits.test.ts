import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bf16BitsToF32,
  bitsToF32,
  decodeFloat,
  encodeFloat,
  F16_FORMAT,
  f16BitsToF32,
  F32_FORMAT,
  f32ToBf16Bits,
  f32ToBits,
  f32ToF16Bits,
} from '../../../genome/dtypes/index.ts';

const f32NotNaN = fc.integer({ min: 0, max: 0xffffffff }).filter((bits) => !Number.isNaN(bitsToF32(bits)));

describe('f16 conversion', () => {
  it('encodes known values to their IEEE bit patterns', () => {
    const known: [number, number][] = [
      [1, 0x3c00],
      [-2, 0xc000],
      [65504, 0x7bff],
      [Math.fround(0.1), 0x2e66],
      [1 / 3, 0x3555],
      [0, 0x0000],
      [-0, 0x8000],
      [Infinity, 0x7c00],
      [-Infinity, 0xfc00],
      [NaN, 0x7e00],
      [2 ** -14, 0x0400], // smallest normal
      [1023 * 2 ** -24, 0x03ff], // largest subnormal
      [2 ** -24, 0x0001], // smallest subnormal
      [-(2 ** -24), 0x8001],
    ];
    for (const [value, bits] of known) expect(f32ToF16Bits(value), String(value)).toBe(bits);
  });

  it('rounds to nearest, ties to even, overflowing to Inf past the last half step', () => {
    expect(f32ToF16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie: down to the even 1.0
    expect(f32ToF16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie: up to the even neighbour
    expect(f32ToF16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
    expect(f32ToF16Bits(2 ** -25)).toBe(0x0000); // half the smallest subnormal ties to zero
    expect(f32ToF16Bits(3 * 2 ** -25)).toBe(0x0002);
    expect(f32ToF16Bits(-(2 ** -26))).toBe(0x8000); // underflow keeps the sign
    expect(f32ToF16Bits(65519.99)).toBe(0x7bff);
    expect(f32ToF16Bits(65520)).toBe(0x7c00);
    expect(f32ToF16Bits(1e10)).toBe(0x7c00);
    expect(f32ToF16Bits((1023 * 2 ** -24 + 2 ** -14) / 2)).toBe(0x0400); // the tie past the largest subnormal carries into the normals
  });

  it('decodes every one of the 65536 patterns and encodes it back to the same bits (NaNs to NaN)', () => {
    const wrong: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      const value = f16BitsToF32(bits);
      const isNaN = (bits & 0x7c00) === 0x7c00 && (bits & 0x03ff) !== 0;
      if (isNaN ? !Number.isNaN(value) : f32ToF16Bits(value) !== bits) wrong.push(bits);
    }
    expect(wrong).toEqual([]);
  });

  it('sends every midpoint between neighbours to the even one', () => {
    const wrong: number[] = [];
    for (let bits = 0; bits < 0x7bff; bits++) {
      const mid = (f16BitsToF32(bits) + f16BitsToF32(bits + 1)) / 2;
      const even = bits % 2 === 0 ? bits : bits + 1;
      if (f32ToF16Bits(mid) !== even || f32ToF16Bits(-mid) !== (0x8000 | even)) wrong.push(bits);
    }
    expect(wrong).toEqual([]);
  });
});

describe('bf16 conversion', () => {
  it('encodes known values to their bit patterns', () => {
    const known: [number, number][] = [
      [1, 0x3f80],
      [Math.fround(Math.PI), 0x4049],
      [Math.fround(1 / 3), 0x3eab],
      [-0, 0x8000],
      [Infinity, 0x7f80],
      [-Infinity, 0xff80],
      [NaN, 0x7fc0],
      [3.3895313892515355e38, 0x7f7f], // the largest bf16
      [3.4028234663852886e38, 0x7f80], // the largest f32 rounds past it
      [2 ** -133, 0x0001], // smallest subnormal
      [2 ** -126, 0x0080], // smallest normal
    ];
    for (const [value, bits] of known) expect(f32ToBf16Bits(value), String(value)).toBe(bits);
    expect(bf16BitsToF32(0x4049)).toBe(3.140625);
  });

  it('agrees with the usual f32 -> bf16 bit trick (add 0x7fff plus the kept low bit) on random non-NaN f32s', () => {
    fc.assert(
      fc.property(f32NotNaN, (bits) => {
        const trick = Math.floor((bits + 0x7fff + (Math.floor(bits / 65536) & 1)) / 65536);
        expect(f32ToBf16Bits(bitsToF32(bits))).toBe(trick);
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('the generic encoder', () => {
  it('matches the platform f32 conversion for any double, subnormals and ties included', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (x) => {
        expect(encodeFloat(x, F32_FORMAT)).toBe(f32ToBits(x));
      }),
      { numRuns: 5_000 },
    );
    fc.assert(
      fc.property(f32NotNaN, (bits) => {
        // exact f32 midpoints between neighbours
        const next = bitsToF32(bits + 1);
        if (!Number.isFinite(next) || Number.isNaN(next)) return;
        const mid = (bitsToF32(bits) + next) / 2;
        expect(encodeFloat(mid, F32_FORMAT)).toBe(f32ToBits(mid));
      }),
      { numRuns: 5_000 },
    );
  });

  it('decodes f32 patterns as the platform does', () => {
    fc.assert(
      fc.property(f32NotNaN, (bits) => {
        expect(Object.is(decodeFloat(bits, F32_FORMAT), bitsToF32(bits))).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });

  it('is monotonic: a larger f16 input never gets a smaller value', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, min: -70000, max: 70000 }), fc.double({ noNaN: true, min: -70000, max: 70000 }), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(decodeFloat(encodeFloat(lo, F16_FORMAT), F16_FORMAT)).toBeLessThanOrEqual(decodeFloat(encodeFloat(hi, F16_FORMAT), F16_FORMAT));
      }),
    );
  });
});
