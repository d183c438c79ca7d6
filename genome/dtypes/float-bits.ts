/**
 * Binary floating-point formats narrower than f64, encoded and decoded bit by
 * bit so that f16 and bf16 need no runtime support (Node 20 has no
 * Float16Array). Rounding is IEEE round-to-nearest-even from the exact
 * number given: for a number that is already an f32 this is the f32 -> f16
 * (or -> bf16) conversion a GPU performs; for an f64 it avoids the double
 * rounding f64 -> f32 -> f16 would add.
 */
export interface FloatFormat {
  /** Stored mantissa bits (10 for f16, 7 for bf16, 23 for f32). */
  readonly mantissaBits: number;
  readonly exponentBits: number;
}

export const F16_FORMAT: FloatFormat = { mantissaBits: 10, exponentBits: 5 };
export const BF16_FORMAT: FloatFormat = { mantissaBits: 7, exponentBits: 8 };
export const F32_FORMAT: FloatFormat = { mantissaBits: 23, exponentBits: 8 };

function bias(format: FloatFormat): number {
  return 2 ** (format.exponentBits - 1) - 1;
}

/** The quiet NaN with an empty payload: what conversions produce, since a JS NaN carries no payload we can trust. */
export function canonicalNaN(format: FloatFormat): number {
  return (exponentMask(format) | (1 << (format.mantissaBits - 1))) >>> 0;
}

function exponentMask(format: FloatFormat): number {
  return ((2 ** format.exponentBits - 1) * 2 ** format.mantissaBits) >>> 0;
}

function signBit(format: FloatFormat): number {
  return 2 ** (format.mantissaBits + format.exponentBits);
}

function roundHalfEven(v: number): number {
  const floor = Math.floor(v);
  const rest = v - floor;
  if (rest > 0.5) return floor + 1;
  if (rest < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** The bits of the format's value nearest to x (ties to even); overflow gives Inf, as IEEE does. */
export function encodeFloat(x: number, format: FloatFormat): number {
  if (Number.isNaN(x)) return canonicalNaN(format);
  const sign = x < 0 || Object.is(x, -0) ? signBit(format) : 0;
  const a = Math.abs(x);
  const m = format.mantissaBits;
  const minNormalExp = 1 - bias(format);
  if (a < 2 ** minNormalExp) {
    // Subnormal (or zero): a multiple of the smallest subnormal. Scaling by a power of two is exact in f64,
    // and a count of 2^m is the smallest normal's encoding, so the carry needs no special case.
    return sign + roundHalfEven(a * 2 ** (m - minNormalExp));
  }
  let e = Math.floor(Math.log2(a));
  // log2 of a huge or awkward number can be off by one either way
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  if (e > bias(format)) return sign + exponentMask(format);
  const significand = roundHalfEven(a * 2 ** (m - e));
  // A significand rounded up to 2^(m+1) carries into the exponent by plain addition; past the largest exponent that is Inf.
  return sign + (e + bias(format)) * 2 ** m + (significand - 2 ** m);
}

export function decodeFloat(bits: number, format: FloatFormat): number {
  const m = format.mantissaBits;
  const sign = bits >= signBit(format) ? -1 : 1;
  const exponent = Math.floor((bits % signBit(format)) / 2 ** m);
  const mantissa = bits % 2 ** m;
  if (exponent === 2 ** format.exponentBits - 1) return mantissa === 0 ? sign * Infinity : NaN;
  if (exponent === 0) return sign * mantissa * 2 ** (1 - bias(format) - m);
  return sign * (2 ** m + mantissa) * 2 ** (exponent - bias(format) - m);
}

export const f32ToF16Bits = (x: number): number => encodeFloat(x, F16_FORMAT);
export const f16BitsToF32 = (bits: number): number => decodeFloat(bits, F16_FORMAT);
export const f32ToBf16Bits = (x: number): number => encodeFloat(x, BF16_FORMAT);
export const bf16BitsToF32 = (bits: number): number => decodeFloat(bits, BF16_FORMAT);

const f32Value = new Float32Array(1);
const f32Word = new Uint32Array(f32Value.buffer);

/** f32 goes through the platform's own conversion (also round-to-nearest-even, and fast). */
export function f32ToBits(x: number): number {
  f32Value[0] = x;
  return f32Word[0]!;
}

export function bitsToF32(bits: number): number {
  f32Word[0] = bits;
  return f32Value[0]!;
}
