/**
 * f16 <-> f32 in WASM SIMD. WASM has no f16 arithmetic or conversion, so the
 * bits are moved with integer ops, eight halves a loop trip, one at a time
 * for the tail; both functions take (source address, destination address,
 * element count).
 */

/**
 * f16 bits (u32 lanes) -> f32 without touching a subnormal float (a thread
 * whose MXCSR flushes them, as some native libraries leave it, would zero
 * them): normal halves rebiased on the bits (exponent + 112), subnormal ones
 * m * 2^-24 from the integer m (an exact normal f32), Inf and NaN an all-ones
 * exponent over their mantissa; the sign goes back on last.
 */
const WIDEN_LANES = `(func $f16to32x4 (param $h v128) (result v128)
  (local $em v128) (local $exponent v128)
  (local.set $em (i32x4.shl (v128.and (local.get $h) (v128.const i32x4 0x7fff 0x7fff 0x7fff 0x7fff)) (i32.const 13)))
  (local.set $exponent (v128.and (local.get $h) (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00)))
  (v128.or
    (i32x4.shl (v128.and (local.get $h) (v128.const i32x4 0x8000 0x8000 0x8000 0x8000)) (i32.const 16))
    (v128.bitselect
      (v128.or (local.get $em) (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000))
      (v128.bitselect
        (f32x4.mul
          (f32x4.convert_i32x4_u (v128.and (local.get $h) (v128.const i32x4 0x3ff 0x3ff 0x3ff 0x3ff)))
          (v128.const f32x4 0x1p-24 0x1p-24 0x1p-24 0x1p-24))
        (i32x4.add (local.get $em) (v128.const i32x4 0x38000000 0x38000000 0x38000000 0x38000000))
        (i32x4.eq (local.get $exponent) (v128.const i32x4 0 0 0 0)))
      (i32x4.eq (local.get $exponent) (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00)))))`;

/**
 * f32 -> f16 bits (u32 lanes), rounded to nearest even (F. Giesen's
 * float_to_half_fast3_rtne, branch-free: all three cases computed, then
 * selected): |x| at or past 2^16 is Inf (NaN stays a quiet NaN); below
 * f16's normal range, adding 0.5 lets the FPU round the subnormal (RNE) into
 * the low bits; otherwise rebias and round on the bits (+0xfff, + the odd bit).
 */
const NARROW_LANES = `(func $f32to16x4 (param $x v128) (result v128)
  (local $sign v128) (local $a v128)
  (local.set $sign (v128.and (local.get $x) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000)))
  (local.set $a (v128.xor (local.get $x) (local.get $sign)))
  (v128.or
    (i32x4.shr_u (local.get $sign) (i32.const 16))
    (v128.bitselect
      (v128.bitselect
        (v128.const i32x4 0x7e00 0x7e00 0x7e00 0x7e00)
        (v128.const i32x4 0x7c00 0x7c00 0x7c00 0x7c00)
        (i32x4.gt_s (local.get $a) (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000)))
      (v128.bitselect
        (i32x4.sub (f32x4.add (local.get $a) (v128.const f32x4 0.5 0.5 0.5 0.5)) (v128.const i32x4 0x3f000000 0x3f000000 0x3f000000 0x3f000000))
        (i32x4.shr_u
          (i32x4.add
            (i32x4.add (local.get $a) (v128.const i32x4 0xc8000fff 0xc8000fff 0xc8000fff 0xc8000fff))
            (v128.and (i32x4.shr_u (local.get $a) (i32.const 13)) (v128.const i32x4 1 1 1 1)))
          (i32.const 13))
        (i32x4.lt_s (local.get $a) (v128.const i32x4 0x38800000 0x38800000 0x38800000 0x38800000)))
      (i32x4.ge_s (local.get $a) (v128.const i32x4 0x47800000 0x47800000 0x47800000 0x47800000)))))`;

/** $widen(src f16 bits, dst f32, n). */
const WIDEN = `(func $widen (param $src i32) (param $dst i32) (param $n i32)
  (local $i i32) (local $h v128)
  (block $done
    (loop $eight
      (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $n)))
      (local.set $h (v128.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 1)))))
      (v128.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2))) (call $f16to32x4 (i32x4.extend_low_i16x8_u (local.get $h))))
      (v128.store offset=16 (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2))) (call $f16to32x4 (i32x4.extend_high_i16x8_u (local.get $h))))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br $eight)))
  (block $tailDone
    (loop $one
      (br_if $tailDone (i32.ge_u (local.get $i) (local.get $n)))
      (f32.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2)))
        (f32x4.extract_lane 0 (call $f16to32x4 (i32x4.splat (i32.load16_u (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 1))))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $one))))`;

/** $narrow(src f32, dst f16 bits, n): two f32x4 to one i16x8 (every lane fits in 16 bits, so the unsigned saturating narrow is exact). */
const NARROW = `(func $narrow (param $src i32) (param $dst i32) (param $n i32)
  (local $i i32)
  (block $done
    (loop $eight
      (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 8)) (local.get $n)))
      (v128.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 1)))
        (i16x8.narrow_i32x4_u
          (call $f32to16x4 (v128.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2)))))
          (call $f32to16x4 (v128.load offset=16 (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2)))))))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br $eight)))
  (block $tailDone
    (loop $one
      (br_if $tailDone (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store16 (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 1)))
        (i32x4.extract_lane 0 (call $f32to16x4 (f32x4.splat (f32.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 2))))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $one))))`;

export const conversionFuncs: readonly string[] = [WIDEN_LANES, NARROW_LANES, WIDEN, NARROW];
