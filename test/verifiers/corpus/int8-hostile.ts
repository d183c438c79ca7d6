import type { MatmulProblem } from '../../../genome/ops/matmul-problem.ts';
import { int8BaselineWat } from '../../../genome/wasm/int8/baseline.ts';

/**
 * Hostile integer matmul kernels: the int8 baseline (a scalar loop, exact)
 * with its multiply or its accumulate swapped for one that is right on
 * ordinary values and wrong at the ends of the types, each with the stage
 * and input case that must stop it (test/verifiers/int8-corpus.test.ts).
 */
export interface Int8Hostile {
  readonly name: string;
  readonly trick: string;
  readonly dtype: 'i8' | 'u8i8' | 'i16';
  readonly stage: string;
  readonly reason: RegExp;
  /** Bodies of $mul (x, y: the operands less their zero points) and $add (acc, p), both (result i32). */
  readonly mul?: string;
  readonly add?: string;
  /** i16 with block exponents: the problem's block, and the body of $scale (d = e_b - E is in $d), its factor for block b. */
  readonly exponentBlock?: 32;
  readonly scale?: string;
}

const x = '(local.get $x)';
const y = '(local.get $y)';
const relaxedTwice = (a: string, b: string) => `(i16x8.extract_lane_s 0 (i16x8.relaxed_dot_i8x16_i7x16_s (i8x16.splat ${a}) (i8x16.splat ${b})))`;

export const int8Hostile: readonly Int8Hostile[] = [
  {
    name: 'relaxed dot on full-range i8',
    trick: 'multiplies with i16x8.relaxed_dot_i8x16_i7x16_s, whose second operand must be 7-bit: x64 reads a negative i8 as 128..255, so every negative B is wrong',
    dtype: 'i8',
    stage: 'shapes',
    reason: /^shapes \(37x53x40\): C\[\d+,\d+\] = -?\d+ but expected -?\d+ exactly \(i32 is exact\)/,
    mul: `(i32.shr_s ${relaxedTwice(x, y)} (i32.const 1))`,
  },
  {
    name: 'relaxed dot with the sign folded into A',
    trick:
      'makes the 7-bit operand |B| and moves its sign onto A, legal for every value but one: -(-128) does not fit an i8 and wraps back to -128, ' +
      'so only A = -128 against a negative B is wrong, which normal draws almost never hold and full-range draws (and the int extremes) do',
    dtype: 'i8',
    stage: 'numerics',
    reason: /^numerics \(uniform\): C\[\d+,\d+\] = -?\d+ but expected -?\d+ exactly/,
    mul: `(i32.shr_s ${relaxedTwice(`(select (i32.sub (i32.const 0) ${x}) ${x} (i32.lt_s ${y} (i32.const 0)))`, `(select (i32.sub (i32.const 0) ${y}) ${y} (i32.lt_s ${y} (i32.const 0)))`)} (i32.const 1))`,
  },
  {
    name: 'saturating i16 products',
    trick: 'multiplies (A - a_zero_point)(B - b_zero_point) with 16-bit saturation, as pmaddubsw does: exact while the product fits an i16, clamped past 32767 (255 x 255 is 65025)',
    dtype: 'u8i8',
    stage: 'numerics',
    // full-range draws make products past 32767: uniform ones, or wide ones where the zero points drawn keep uniform products small
    reason: /^numerics \((uniform|wide)\): C\[\d+,\d+\] = -?\d+ but expected -?\d+ exactly/,
    mul: `(i16x8.extract_lane_s 0 (i16x8.add_sat_s (i16x8.splat (i32.const 0)) (i16x8.splat (select (i32.const 32767) (select (i32.const -32768) (i32.mul ${x} ${y}) (i32.lt_s (i32.mul ${x} ${y}) (i32.const -32768))) (i32.gt_s (i32.mul ${x} ${y}) (i32.const 32767))))))`,
  },
  {
    name: 'i16 accumulator',
    trick: 'sums in 16 bits, wrapping: exact for small values (the integers case), wrong once a sum passes 32767, as full-range inputs make it',
    dtype: 'i8',
    stage: 'numerics',
    reason: /^numerics \(uniform\): C\[\d+,\d+\] = -?\d+ but expected -?\d+ exactly/,
    add: '(i32.extend16_s (i32.add (local.get $acc) (local.get $p)))',
  },
  {
    name: 'saturating i32 accumulator (i16)',
    trick: 'sums i16 mantissa products in i64 and clamps to i32: the same answer until a sum leaves the i32 range, which full-range i16 products (up to 2^30) reach in a few steps; the contract wraps',
    dtype: 'i16',
    stage: 'numerics',
    reason: /^numerics \(uniform\): C\[\d+,\d+\] = -?\d+ but expected -?\d+ exactly/,
    add: `(i32.wrap_i64 (select (i64.const 2147483647) (select (i64.const -2147483648) (i64.add (i64.extend_i32_s (local.get $acc)) (i64.extend_i32_s (local.get $p))) (i64.lt_s (i64.add (i64.extend_i32_s (local.get $acc)) (i64.extend_i32_s (local.get $p))) (i64.const -2147483648))) (i64.gt_s (i64.add (i64.extend_i32_s (local.get $acc)) (i64.extend_i32_s (local.get $p))) (i64.const 2147483647))))`,
  },
  {
    name: 'f32 accumulator (i16)',
    trick: 'sums i16 mantissa products in f32: exact while a sum needs 24 bits or fewer (small values), rounded past that and saturating at the i32 ends; the first normal draws already need more',
    dtype: 'i16',
    stage: 'shapes',
    reason: /^shapes \(37x53x40\): C\[\d+,\d+\] = -?\d+ but expected -?\d+ exactly/,
    add: '(i32.trunc_sat_f32_s (f32.add (f32.convert_i32_s (local.get $acc)) (f32.convert_i32_s (local.get $p))))',
  },
  {
    name: 'block exponents ignored (i16)',
    trick: 'multiplies the mantissas as if every K block shared one exponent: right whenever the blocks\' exponents agree (the min and max cases), wrong once they differ',
    dtype: 'i16',
    exponentBlock: 32,
    stage: 'shapes',
    reason: /^shapes \(37x53x40\): C\[\d+,\d+\] = -?\d+ but expected -?\d+ exactly/,
    scale: '(i32.const 1)',
  },
  {
    name: 'block shift count mod 32 (i16)',
    trick: 'shifts a block onto C\'s exponent with a bare i32.shl, whose count is taken mod 32: right while the exponents stay within 32 of each other (random draws mostly do), a block 32 or more binades up comes back instead of vanishing mod 2^32: exponents at -128 and 127 side by side (the int extremes) shift by 510',
    dtype: 'i16',
    exponentBlock: 32,
    stage: 'edges',
    reason: /^edges \(extremes\): C\[\d+,\d+\] = -?\d+ but expected -?\d+ exactly/,
    scale: '(i32.shl (i32.const 1) (local.get $d))',
  },
  {
    name: 'saturating scaled products (i16)',
    trick: 'multiplies mantissa by scaled mantissa with i32 saturation instead of wrapping: the same bits until a block\'s shifted sum leaves the i32 range, which a few binades of spread on full-range mantissas reach',
    dtype: 'i16',
    exponentBlock: 32,
    stage: 'shapes',
    reason: /^shapes \(\d+x\d+x\d+\): C\[\d+,\d+\] = -?\d+ but expected -?\d+ exactly/,
    mul: `(i32.wrap_i64 (select (i64.const 2147483647) (select (i64.const -2147483648) (i64.mul (i64.extend_i32_s ${x}) (i64.extend_i32_s ${y})) (i64.lt_s (i64.mul (i64.extend_i32_s ${x}) (i64.extend_i32_s ${y})) (i64.const -2147483648))) (i64.gt_s (i64.mul (i64.extend_i32_s ${x}) (i64.extend_i32_s ${y})) (i64.const 2147483647))))`,
  },
];

/** The honest $scale body (genome/wasm/int8/exponents.ts) a hostile `scale` replaces. */
const HONEST_SCALE = '(select (i32.shl (i32.const 1) (local.get $d)) (i32.const 0) (i32.lt_u (local.get $d) (i32.const 32)))';

/** The baseline with $mul and $add spliced into its inner loop (and $scale's body, for block exponents). */
export function hostileInt8Wat(h: Int8Hostile, problem: MatmulProblem): string {
  const functions = `(func $mul (param $x i32) (param $y i32) (result i32) ${h.mul ?? `(i32.mul ${x} ${y})`})
  (func $add (param $acc i32) (param $p i32) (result i32) ${h.add ?? '(i32.add (local.get $acc) (local.get $p))'})
  (func (export "matmul")`;
  const honest = int8BaselineWat(problem);
  const spliced = honest
    .replace('(func (export "matmul")', functions)
    .replace('(local.set $acc (i32.add (local.get $acc)\n            (i32.mul', '(local.set $acc (call $add (local.get $acc)\n            (call $mul');
  if (spliced.split('call $add').length !== 2 || spliced.split('call $mul').length !== 2) throw new Error('the int8 baseline changed: the hostile corpus no longer splices into it');
  if (!h.scale) return spliced;
  if (!spliced.includes(HONEST_SCALE)) throw new Error('the block exponent functions changed: the hostile corpus no longer splices into them');
  return spliced.replace(HONEST_SCALE, h.scale);
}
