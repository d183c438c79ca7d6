/** i16 with block exponents: the entry's inputs A, a_exponents, B, b_exponents (byte offsets), in ABI order. */
export const exponentParams = '(param $a i32) (param $ea i32) (param $b i32) (param $eb i32)';

/** `(call $scale b least ea eb)`: block b's factor onto C's exponent. */
export const scaleCall = (block: string) => `(call $scale ${block} (local.get $least) (local.get $ea) (local.get $eb))`;

/**
 * The scheme's exponent arithmetic (genome/ops/matmul/schemes/i16-blocks.ts)
 * as module functions: $least is E = min over blocks of a_exponents[b] +
 * b_exponents[b]; $scale is block b's factor 2^(e_b - E) mod 2^32, 0 once
 * the shift reaches 32 (i32.shl takes its count mod 32: the select drops it).
 */
export function exponentFunctions(k: number, block: number): string {
  const blocks = Math.ceil(k / block);
  return `(func $blockExponent (param $b i32) (param $ea i32) (param $eb i32) (result i32)
    (i32.add (i32.load8_s (i32.add (local.get $ea) (local.get $b))) (i32.load8_s (i32.add (local.get $eb) (local.get $b)))))
  (func $least (param $ea i32) (param $eb i32) (result i32) (local $b i32) (local $e i32) (local $x i32)
    (local.set $e (call $blockExponent (i32.const 0) (local.get $ea) (local.get $eb)))
    (local.set $b (i32.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $b) (i32.const ${blocks})))
        (local.set $x (call $blockExponent (local.get $b) (local.get $ea) (local.get $eb)))
        (local.set $e (select (local.get $x) (local.get $e) (i32.lt_s (local.get $x) (local.get $e))))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $next)))
    (local.get $e))
  (func $scale (param $b i32) (param $least i32) (param $ea i32) (param $eb i32) (result i32) (local $d i32)
    (local.set $d (i32.sub (call $blockExponent (local.get $b) (local.get $ea) (local.get $eb)) (local.get $least)))
    (select (i32.shl (i32.const 1) (local.get $d)) (i32.const 0) (i32.lt_u (local.get $d) (i32.const 32))))`;
}
