import type { MatmulProblem } from '../../ops/matmul-problem.ts';

/**
 * The integer baseline every int8 candidate is timed against, fixed forever:
 * a scalar triple loop, (A - a_zero_point) * (B - b_zero_point) summed in
 * i32 (which wraps, as the contract says). i8 has no zero points.
 */
export function int8BaselineWat({ shape: { m, n, k }, dtype }: MatmulProblem): string {
  const zp = dtype === 'u8i8';
  const params = zp ? '(param $a i32) (param $za i32) (param $b i32) (param $zb i32)' : '(param $a i32) (param $b i32)';
  const aLoad = zp ? 'i32.load8_u' : 'i32.load8_s';
  const za = zp ? '(i32.load8_u (local.get $za))' : '(i32.const 0)';
  const zb = zp ? '(i32.load8_s (local.get $zb))' : '(i32.const 0)';
  return `(module
  (import "env" "memory" (memory 1))
  (func (export "matmul") ${params} (param $c i32) (param $ws i32)
    (local $i i32) (local $j i32) (local $p i32) (local $acc i32) (local $zav i32) (local $zbv i32)
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
              (i32.sub (${aLoad} (i32.add (local.get $a) (i32.add (i32.mul (local.get $i) (i32.const ${k})) (local.get $p)))) (local.get $zav))
              (i32.sub (i32.load8_s (i32.add (local.get $b) (i32.add (i32.mul (local.get $p) (i32.const ${n})) (local.get $j)))) (local.get $zbv)))))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          (br_if $lp (i32.lt_u (local.get $p) (i32.const ${k}))))
        (i32.store (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (i32.const ${n})) (local.get $j)) (i32.const 2))) (local.get $acc))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $lj (i32.lt_u (local.get $j) (i32.const ${n}))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $li (i32.lt_u (local.get $i) (i32.const ${m}))))))`;
}
