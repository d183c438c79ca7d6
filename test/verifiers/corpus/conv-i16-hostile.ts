/**
 * Hostile i16 convolution kernels: the int16 family's own dot16 kernel with
 * its accumulate (every `i32x4.add` of a product into an accumulator)
 * swapped for one that is right while sums stay small and wrong where the
 * contract wraps, each with the stage that must stop it
 * (test/verifiers/conv-i16-corpus.test.ts).
 */
export interface ConvI16Hostile {
  readonly name: string;
  readonly trick: string;
  readonly stage: string;
  readonly reason: RegExp;
  /** Body of $accumulate (param $acc v128) (param $p v128) (result v128). */
  readonly accumulate: string;
}

const acc = '(local.get $acc)';
const p = '(local.get $p)';
const sum = `(i32x4.add ${acc} ${p})`;

export const convI16Hostile: readonly ConvI16Hostile[] = [
  {
    name: 'saturating i32 accumulator',
    trick: 'adds with signed saturation (what a paddsd would do): the same i32 sum until it leaves the i32 range, which full-range i16 products (up to 2^30) reach in a few taps; the contract wraps',
    stage: 'numerics',
    reason: /^numerics \(uniform\): Y\[\d+,\d+,\d+,\d+\] = -?\d+ but expected -?\d+ exactly/,
    // Overflowed lanes (both addends' sign differs from the sum's) take INT_MAX or INT_MIN by acc's sign.
    accumulate: `(v128.bitselect
      (v128.xor (i32x4.shr_s ${acc} (i32.const 31)) (i32x4.splat (i32.const 0x7fffffff)))
      ${sum}
      (i32x4.shr_s (v128.and (v128.xor ${sum} ${acc}) (v128.xor ${sum} ${p})) (i32.const 31)))`,
  },
  {
    name: 'f32 accumulator',
    trick: 'keeps the sums in f32 (converted in, truncated out with saturation): exact while a sum fits 24 bits, rounded past that',
    stage: 'shapes',
    reason: /^shapes \(n1h8w8c8k8r3s3\): Y\[\d+,\d+,\d+,\d+\] = -?\d+ but expected -?\d+ exactly/,
    accumulate: `(i32x4.trunc_sat_f32x4_s (f32x4.add (f32x4.convert_i32x4_s ${acc}) (f32x4.convert_i32x4_s ${p})))`,
  },
];

/** The family's kernel with every accumulate routed through $accumulate. */
export function hostileConvI16Wat(h: Pick<ConvI16Hostile, 'accumulate'>, honest: string): string {
  const routed = honest.replaceAll('(i32x4.add ', '(call $accumulate ');
  const spliced = routed.replace('(import "env" "memory" (memory 1))', `(import "env" "memory" (memory 1))\n  (func $accumulate (param $acc v128) (param $p v128) (result v128) ${h.accumulate})`);
  if (routed === honest) throw new Error('the i16 conv kernel changed: the hostile corpus no longer splices into it');
  return spliced;
}
