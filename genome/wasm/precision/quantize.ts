/**
 * Pure WAT functions that quantize the user's f32 tensors in the workspace
 * and turn integer results back into f32. Scalar on purpose: they touch each
 * input once (O(MK + KN)) against the kernel's O(MNK).
 *
 * Every scale comes from max |x| over the values it scales, with f32.max,
 * which propagates NaN: a NaN or Inf input makes its scale NaN or Inf, and
 * the outputs that depend on it come out non-finite as the reference's do.
 * x / max lies in [-1, 1], so x / max * levels never overflows, even where
 * levels / max would (a max below 2^-120).
 */

const get = (name: string) => `(local.get $${name})`;

/** max |x| over `length` f32 at src + 4 (line * lineStride + e * elementStride), into $max. */
function maxAbs(lineStride: string, elementStride: string): string {
  return `(local.set $max (f32.const 0))
    (local.set $e (i32.const 0))
    (block $none (br_if $none (i32.eqz ${get('length')}))
    (loop $find
      (local.set $at (i32.add (i32.mul ${get('line')} ${lineStride}) (i32.mul ${get('e')} ${elementStride})))
      (local.set $max (f32.max ${get('max')} (f32.abs (f32.load (i32.add ${get('src')} (i32.shl ${get('at')} (i32.const 2)))))))
      (local.set $e (i32.add ${get('e')} (i32.const 1)))
      (br_if $find (i32.lt_u ${get('e')} ${get('length')}))))`;
}

/**
 * $quantize_i8 (src, q, scales, lines, length, lineStride, elementStride):
 * each line (a row of A: stride K, 1; a column of B: stride 1, N) to
 * symmetric int8, round to nearest even, scale max / 127 per line. q has
 * src's layout in bytes, so the int8 kernel reads it as the i8 tensor.
 */
export const quantizeI8Func = `(func $quantize_i8 (param $src i32) (param $q i32) (param $scales i32) (param $lines i32) (param $length i32) (param $lineStride i32) (param $elementStride i32)
  (local $line i32) (local $e i32) (local $at i32) (local $max f32)
  (block $empty (br_if $empty (i32.eqz ${get('lines')}))
  (loop $lines
    ${maxAbs(get('lineStride'), get('elementStride'))}
    (f32.store (i32.add ${get('scales')} (i32.shl ${get('line')} (i32.const 2))) (f32.div ${get('max')} (f32.const 127)))
    (local.set $e (i32.const 0))
    (block $none (br_if $none (i32.eqz ${get('length')}))
    (loop $put
      (local.set $at (i32.add (i32.mul ${get('line')} ${get('lineStride')}) (i32.mul ${get('e')} ${get('elementStride')})))
      (i32.store8 (i32.add ${get('q')} ${get('at')})
        (i32.trunc_sat_f32_s (f32.nearest (f32.mul (f32.div (f32.load (i32.add ${get('src')} (i32.shl ${get('at')} (i32.const 2)))) ${get('max')}) (f32.const 127)))))
      (local.set $e (i32.add ${get('e')} (i32.const 1)))
      (br_if $put (i32.lt_u ${get('e')} ${get('length')}))))
    (local.set $line (i32.add ${get('line')} (i32.const 1)))
    (br_if $lines (i32.lt_u ${get('line')} ${get('lines')})))))`;

/** $rescale_i8 (acc, rowScales, colScales, c): C[i,j] = f32(acc[i,j]) x (rowScale[i] x colScale[j]); the scales multiply first so huge x tiny stays in range. */
export function rescaleI8Func(m: number, n: number): string {
  return `(func $rescale_i8 (param $acc i32) (param $rowScales i32) (param $colScales i32) (param $c i32)
  (local $i i32) (local $j i32) (local $at i32) (local $rowScale f32)
  (loop $rows
    (local.set $rowScale (f32.load (i32.add ${get('rowScales')} (i32.shl ${get('i')} (i32.const 2)))))
    (local.set $j (i32.const 0))
    (loop $cols
      (local.set $at (i32.shl (i32.add (i32.mul ${get('i')} (i32.const ${n})) ${get('j')}) (i32.const 2)))
      (f32.store (i32.add ${get('c')} ${get('at')})
        (f32.mul (f32.convert_i32_s (i32.load (i32.add ${get('acc')} ${get('at')})))
          (f32.mul ${get('rowScale')} (f32.load (i32.add ${get('colScales')} (i32.shl ${get('j')} (i32.const 2)))))))
      (local.set $j (i32.add ${get('j')} (i32.const 1)))
      (br_if $cols (i32.lt_u ${get('j')} (i32.const ${n}))))
    (local.set $i (i32.add ${get('i')} (i32.const 1)))
    (br_if $rows (i32.lt_u ${get('i')} (i32.const ${m})))))`;
}

/**
 * $quantize_w4 (b, q, scales): B [K, N] f32 to ONNX MatMulNBits: per column
 * n and group of `group` k, scale = max |x| / 7 at scales[n, block], nibbles
 * round(x / scale) + 8 (1..15) at q[n, block, k / 2], low nibble first; the
 * padding past K holds 8, a zero weight.
 */
export function quantizeW4Func(n: number, k: number, group: number): string {
  const blocks = Math.ceil(k / group);
  const nibble = `(if (result i32) (i32.lt_u ${get('kk')} (i32.const ${k}))
          (then (i32.add (i32.const 8) (i32.trunc_sat_f32_s (f32.nearest (f32.mul (f32.div (f32.load (i32.add ${get('src')} (i32.shl (i32.add (i32.mul ${get('kk')} (i32.const ${n})) ${get('line')}) (i32.const 2)))) ${get('max')}) (f32.const 7))))))
          (else (i32.const 8)))`;
  return `(func $quantize_w4 (param $src i32) (param $q i32) (param $scales i32)
  (local $line i32) (local $block i32) (local $e i32) (local $at i32) (local $kk i32) (local $length i32) (local $max f32) (local $low i32) (local $out i32)
  (loop $cols
    (local.set $block (i32.const 0))
    (loop $blocks
      ;; max over this group's k (fewer in the last group when K % group != 0), with the column as the "line" of stride 1, k of stride N
      (local.set $length (select (i32.const ${group}) (i32.sub (i32.const ${k}) (i32.mul ${get('block')} (i32.const ${group}))) (i32.le_u (i32.mul (i32.add ${get('block')} (i32.const 1)) (i32.const ${group})) (i32.const ${k}))))
      (local.set $src (i32.add ${get('src')} (i32.mul ${get('block')} (i32.const ${4 * group * n}))))
      ${maxAbs('(i32.const 1)', `(i32.const ${n})`)}
      (local.set $src (i32.sub ${get('src')} (i32.mul ${get('block')} (i32.const ${4 * group * n}))))
      (local.set $at (i32.add (i32.mul ${get('line')} (i32.const ${blocks})) ${get('block')}))
      (f32.store (i32.add ${get('scales')} (i32.shl ${get('at')} (i32.const 2))) (f32.div ${get('max')} (f32.const 7)))
      (local.set $out (i32.add ${get('q')} (i32.mul ${get('at')} (i32.const ${group / 2}))))
      (local.set $e (i32.const 0))
      (loop $pairs
        (local.set $kk (i32.add (i32.mul ${get('block')} (i32.const ${group})) ${get('e')}))
        (local.set $low ${nibble})
        (local.set $kk (i32.add ${get('kk')} (i32.const 1)))
        (i32.store8 (i32.add ${get('out')} (i32.shr_u ${get('e')} (i32.const 1))) (i32.or ${get('low')} (i32.shl ${nibble} (i32.const 4))))
        (local.set $e (i32.add ${get('e')} (i32.const 2)))
        (br_if $pairs (i32.lt_u ${get('e')} (i32.const ${group}))))
      (local.set $block (i32.add ${get('block')} (i32.const 1)))
      (br_if $blocks (i32.lt_u ${get('block')} (i32.const ${blocks}))))
    (local.set $line (i32.add ${get('line')} (i32.const 1)))
    (br_if $cols (i32.lt_u ${get('line')} (i32.const ${n})))))`;
}
