import type { MatmulProblem } from '../../ops/matmul-problem.ts';
import { exponentFunctions, exponentParams, scaleCall } from './exponents.ts';

/**
 * The integer baseline every int8 candidate is timed against, fixed forever:
 * a scalar triple loop, (A - a_zero_point) * (B - b_zero_point) summed in
 * i32 (which wraps, as the contract says). i8 and i16 have no zero points;
 * i16 with block exponents scales each B value by its block's factor
 * (a * (b * f) = a * b * f mod 2^32).
 */
export function int8BaselineWat({ shape: { m, n, k }, dtype, exponentBlock }: MatmulProblem): string {
  const zp = dtype === 'u8i8';
  const params = zp ? '(param $a i32) (param $za i32) (param $b i32) (param $zb i32)' : exponentBlock ? exponentParams : '(param $a i32) (param $b i32)';
  const bytes = dtype === 'i16' ? 2 : 1;
  const aLoad = dtype === 'u8i8' ? 'i32.load8_u' : bytes === 2 ? 'i32.load16_s' : 'i32.load8_s';
  const bLoad = bytes === 2 ? 'i32.load16_s' : 'i32.load8_s';
  const element = (index: string) => (bytes === 2 ? `(i32.shl ${index} (i32.const 1))` : index);
  const za = zp ? '(i32.load8_u (local.get $za))' : '(i32.const 0)';
  const zb = zp ? '(i32.load8_s (local.get $zb))' : '(i32.const 0)';
  const b = `(i32.sub (${bLoad} (i32.add (local.get $b) ${element(`(i32.add (i32.mul (local.get $p) (i32.const ${n})) (local.get $j))`)})) (local.get $zbv))`;
  const bScaled = exponentBlock ? `(i32.mul ${b} ${scaleCall(`(i32.div_u (local.get $p) (i32.const ${exponentBlock}))`)})` : b;
  return `(module
  (import "env" "memory" (memory 1))
  ${exponentBlock ? exponentFunctions(k, exponentBlock) : ''}
  (func (export "matmul") ${params} (param $c i32) (param $ws i32)
    (local $i i32) (local $j i32) (local $p i32) (local $acc i32) (local $zav i32) (local $zbv i32) (local $least i32)
    ${exponentBlock ? '(local.set $least (call $least (local.get $ea) (local.get $eb)))' : ''}
    (local.set $zav ${za})
    (local.set $zbv ${zb})
    (loop $li
      (local.set $j (i32.const 0))
      (loop $lj
        (local.set $acc (i32.const 0))
        (local.set $p (i32.const 0))
        (loop $lp
          (local.set $acc (i32.add (local.get $acc)
            (i32.mul
              (i32.sub (${aLoad} (i32.add (local.get $a) ${element(`(i32.add (i32.mul (local.get $i) (i32.const ${k})) (local.get $p))`)})) (local.get $zav))
              ${bScaled})))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br_if $lp (i32.lt_u (local.get $p) (i32.const ${k}))))
        (i32.store (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (i32.const ${n})) (local.get $j)) (i32.const 2))) (local.get $acc))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $lj (i32.lt_u (local.get $j) (i32.const ${n}))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $li (i32.lt_u (local.get $i) (i32.const ${m}))))))`;
}
