import { get, i32 } from '../wat.ts';
import { layoutOf, paramList, type Int4Kernel } from './problem.ts';

/**
 * The 4-bit kernel every candidate is timed against, fixed forever: what a
 * careful person writes first. Scalar, i-n-k: for each output, each group's
 * nibbles decoded one by one into an exact integer (w4: minus the zero
 * point) times A, the group's sum scaled once.
 */
export function int4BaselineWat(p: Int4Kernel): string {
  const l = layoutOf(p);
  const w4 = p.dtype === 'w4';
  const nibble = `(i32.and (i32.shr_u (i32.load8_u (i32.add ${get('col')} (i32.shr_u ${get('k')} (i32.const 1)))) (i32.shl (i32.and ${get('k')} (i32.const 1)) (i32.const 2))) (i32.const 15))`;
  // w4: q - zp; w4a8: the nibble sign-extended from bit 3
  const weight = w4 ? `(i32.sub ${nibble} ${get('zpv')})` : `(i32.sub (i32.xor ${nibble} (i32.const 8)) (i32.const 8))`;
  const aValue = w4 ? `(f32.load (i32.add ${get('row')} (i32.shl ${get('k')} (i32.const 2))))` : `(f32.convert_i32_s (i32.load8_s (i32.add ${get('row')} ${get('k')})))`;
  const zeroPoint = p.zeroPoints
    ? `(i32.and (i32.shr_u (i32.load8_u (i32.add ${get('zp')} (i32.add (i32.mul ${get('j')} ${i32(l.zeroPointRowBytes)}) (i32.shr_u ${get('g')} (i32.const 1))))) (i32.shl (i32.and ${get('g')} (i32.const 1)) (i32.const 2))) (i32.const 15))`
    : '(i32.const 8)';
  const result = w4 ? get('acc') : `(f32.mul ${get('acc')} (f32.load (i32.add ${get('aScales')} (i32.shl ${get('i')} (i32.const 2)))))`;
  return `;; kevo baseline matmul ${p.m}x${p.n}x${p.k} ${p.dtype}, groups of ${p.group}: scalar i-n-k, nibbles decoded one at a time, each group's sum scaled once
(module
  (import "env" "memory" (memory 1))
  (func (export "matmul") ${paramList(p)}
    (local $i i32) (local $j i32) (local $g i32) (local $k i32) (local $end i32) (local $row i32) (local $col i32) (local $zpv i32)
    (local $acc f32) (local $part f32)
    (loop $rows
      (local.set $row (i32.add ${get('a')} (i32.mul ${get('i')} ${i32(p.k * (w4 ? 4 : 1))})))
      (local.set $j (i32.const 0))
      (loop $cols
        (local.set $col (i32.add ${get('b')} (i32.mul ${get('j')} ${i32((l.blocks * p.group) / 2)})))
        (local.set $acc (f32.const 0))
        (local.set $g (i32.const 0))
        (loop $groups
          (local.set $zpv ${zeroPoint})
          (local.set $part (f32.const 0))
          (local.set $k (i32.mul ${get('g')} ${i32(p.group)}))
          (local.set $end (select ${i32(p.k)} (i32.add ${get('k')} ${i32(p.group)}) (i32.gt_u (i32.add ${get('k')} ${i32(p.group)}) ${i32(p.k)})))
          (loop $ks
            (local.set $part (f32.add ${get('part')} (f32.mul ${aValue} (f32.convert_i32_s ${weight}))))
            (local.set $k (i32.add ${get('k')} (i32.const 1)))
            (br_if $ks (i32.lt_u ${get('k')} ${get('end')})))
          (local.set $acc (f32.add ${get('acc')} (f32.mul ${get('part')} (f32.load (i32.add ${get('scales')} (i32.shl (i32.add (i32.mul ${get('j')} ${i32(l.blocks)}) ${get('g')}) (i32.const 2)))))))
          (local.set $g (i32.add ${get('g')} (i32.const 1)))
          (br_if $groups (i32.lt_u ${get('g')} ${i32(l.blocks)})))
        (f32.store (i32.add ${get('c')} (i32.shl (i32.add (i32.mul ${get('i')} ${i32(p.n)}) ${get('j')}) (i32.const 2))) ${result})
        (local.set $j (i32.add ${get('j')} (i32.const 1)))
        (br_if $cols (i32.lt_u ${get('j')} ${i32(p.n)})))
      (local.set $i (i32.add ${get('i')} (i32.const 1)))
      (br_if $rows (i32.lt_u ${get('i')} ${i32(p.m)})))))
`;
}
