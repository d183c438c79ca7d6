/**
 * Pure WAT functions that quantize the user's f32 tensors and turn integer
 * results back into f32. $quantize_i8 (scalar) is the i8 scheme's
 * definition; the kernels run its SIMD forms, B's columns once at load time
 * and A's rows on every call, which test/genome/wasm/precision/ holds to the
 * same bytes and scales. w4's B quantizer is scalar: it runs at load only.
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

/**
 * $quantize_rows_i8 (src, q, scales): A [M, K] row by row, the scheme of
 * $quantize_i8 (its definition) in SIMD, sixteen values a trip (then four): max |x| with
 * f32x4.abs and f32x4.pmax (a compare and a select; f32x4.max's NaN and
 * -0 rules cost V8 on x64 about twice that, and |x| has no -0), NaN kept
 * apart and made the max if any lane saw one, as f32.max would; then
 * x / max x 127, nearest even, i32x4.trunc_sat, and two saturating narrows
 * (i32 -> i16 -> i8; every value already lies in [-127, 127], so they
 * change nothing). The same IEEE operations in the same order per element,
 * so the same bytes and scales; the last K % 4 of each row are $quantize_i8's
 * scalar code. This runs on every call: A is the activation.
 */
export function quantizeRowsI8Func(m: number, k: number): string {
  const level = (t: number) =>
    `(i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (f32x4.div (v128.load offset=${16 * t} ${get('row')}) ${get('maxv')}) (v128.const f32x4 127 127 127 127))))`;
  const vectorMax = 4 * Math.floor(k / 4);
  const vectorPut = 16 * Math.floor(k / 16);
  const scalarPut = `(i32.store8 (i32.add ${get('q')} (i32.add (i32.mul ${get('line')} (i32.const ${k})) ${get('e')}))
        (i32.trunc_sat_f32_s (f32.nearest (f32.mul (f32.div (f32.load (i32.add ${get('row')} (i32.shl ${get('e')} (i32.const 2)))) ${get('max')}) (f32.const 127)))))`;
  const loop = (name: string, from: number, to: number, step: number, body: string) =>
    from >= to
      ? ''
      : `(local.set $e (i32.const ${from}))
    (loop $${name}
      ${body}
      (local.set $e (i32.add ${get('e')} (i32.const ${step})))
      (br_if $${name} (i32.lt_u ${get('e')} (i32.const ${to}))))`;
  return `(func $quantize_rows_i8 (param $src i32) (param $q i32) (param $scales i32)
  (local $line i32) (local $e i32) (local $row i32) (local $max f32) (local $maxv v128) (local $quad v128) (local $abs v128) (local $nan v128)
  (loop $lines
    (local.set $row (i32.add ${get('src')} (i32.mul ${get('line')} (i32.const ${4 * k}))))
    (local.set $maxv (v128.const f32x4 0 0 0 0))
    (local.set $nan (v128.const i32x4 0 0 0 0))
    ${loop('maxVectors', 0, vectorMax, 4, `(local.set $abs (f32x4.abs (v128.load (i32.add ${get('row')} (i32.shl ${get('e')} (i32.const 2))))))
      (local.set $maxv (f32x4.pmax ${get('maxv')} ${get('abs')}))
      (local.set $nan (v128.or ${get('nan')} (f32x4.ne ${get('abs')} ${get('abs')})))`)}
    (local.set $max (select (f32.const nan) (f32.max (f32.max (f32x4.extract_lane 0 ${get('maxv')}) (f32x4.extract_lane 1 ${get('maxv')})) (f32.max (f32x4.extract_lane 2 ${get('maxv')}) (f32x4.extract_lane 3 ${get('maxv')}))) (v128.any_true ${get('nan')})))
    ${loop('maxTail', vectorMax, k, 1, `(local.set $max (f32.max ${get('max')} (f32.abs (f32.load (i32.add ${get('row')} (i32.shl ${get('e')} (i32.const 2)))))))`)}
    (f32.store (i32.add ${get('scales')} (i32.shl ${get('line')} (i32.const 2))) (f32.div ${get('max')} (f32.const 127)))
    (local.set $maxv (f32x4.splat ${get('max')}))
    ${loop('putVectors', 0, vectorPut, 16, `(v128.store (i32.add ${get('q')} (i32.add (i32.mul ${get('line')} (i32.const ${k})) ${get('e')}))
        (i8x16.narrow_i16x8_s (i16x8.narrow_i32x4_s ${level(0)} ${level(1)}) (i16x8.narrow_i32x4_s ${level(2)} ${level(3)})))
      (local.set $row (i32.add ${get('row')} (i32.const 64)))`)}
    ${loop('putQuads', vectorPut, vectorMax, 4, `(local.set $quad ${level(0)})
      (v128.store32_lane 0 (i32.add ${get('q')} (i32.add (i32.mul ${get('line')} (i32.const ${k})) ${get('e')}))
        (i8x16.narrow_i16x8_s (i16x8.narrow_i32x4_s ${get('quad')} ${get('quad')}) (i16x8.narrow_i32x4_s ${get('quad')} ${get('quad')})))
      (local.set $row (i32.add ${get('row')} (i32.const 16)))`)}
    (local.set $row (i32.add ${get('src')} (i32.mul ${get('line')} (i32.const ${4 * k}))))
    ${loop('putTail', vectorMax, k, 1, scalarPut)}
    (local.set $line (i32.add ${get('line')} (i32.const 1)))
    (br_if $lines (i32.lt_u ${get('line')} (i32.const ${m})))))`;
}

/**
 * $quantize_cols_i8 (src, q, scales): B [K, N] per column, $quantize_i8's
 * scheme, but walking B row by row, four columns a vector (a column walk
 * strides N floats: at K = N = 4096 that is a cache miss a load, seconds at
 * load time). Pass one keeps each column's max |x| in `scales` (f32x4.max,
 * NaN-propagating as f32.max), pass two quantizes with it, pass three turns
 * each max into its scale, max / 127. The last N % 4 columns are scalar.
 */
export function quantizeColumnsI8Func(n: number, k: number): string {
  const vectorEnd = 4 * Math.floor(n / 4);
  const at = (base: string, bytes: number) => `(i32.add ${get(base)} (i32.mul ${get('e')} (i32.const ${bytes})))`;
  const overColumns = (vector: string, scalar: string) =>
    [
      vectorEnd === 0 ? '' : `(local.set $e (i32.const 0))
      (loop $vectors ${vector}
        (local.set $e (i32.add ${get('e')} (i32.const 4)))
        (br_if $vectors (i32.lt_u ${get('e')} (i32.const ${vectorEnd}))))`,
      vectorEnd === n ? '' : `(local.set $e (i32.const ${vectorEnd}))
      (loop $scalars ${scalar}
        (local.set $e (i32.add ${get('e')} (i32.const 1)))
        (br_if $scalars (i32.lt_u ${get('e')} (i32.const ${n}))))`,
    ].join('\n      ');
  const overRows = (body: string) => `(local.set $kk (i32.const 0))
    (loop $rows
      (local.set $row (i32.add ${get('src')} (i32.mul ${get('kk')} (i32.const ${4 * n}))))
      (local.set $out (i32.add ${get('q')} (i32.mul ${get('kk')} (i32.const ${n}))))
      ${body}
      (local.set $kk (i32.add ${get('kk')} (i32.const 1)))
      (br_if $rows (i32.lt_u ${get('kk')} (i32.const ${k}))))`;
  const level = `(i32x4.trunc_sat_f32x4_s (f32x4.nearest (f32x4.mul (f32x4.div (v128.load ${at('row', 4)}) (v128.load ${at('scales', 4)})) (v128.const f32x4 127 127 127 127))))`;
  return `(func $quantize_cols_i8 (param $src i32) (param $q i32) (param $scales i32)
  (local $kk i32) (local $e i32) (local $row i32) (local $out i32) (local $level v128)
  (memory.fill ${get('scales')} (i32.const 0) (i32.const ${4 * n}))
  ${overRows(
    overColumns(
      `(v128.store ${at('scales', 4)} (f32x4.max (v128.load ${at('scales', 4)}) (f32x4.abs (v128.load ${at('row', 4)}))))`,
      `(f32.store ${at('scales', 4)} (f32.max (f32.load ${at('scales', 4)}) (f32.abs (f32.load ${at('row', 4)}))))`,
    ),
  )}
  ${overRows(
    overColumns(
      `(local.set $level ${level})
        (v128.store32_lane 0 ${at('out', 1)} (i8x16.narrow_i16x8_s (i16x8.narrow_i32x4_s ${get('level')} ${get('level')}) (i16x8.narrow_i32x4_s ${get('level')} ${get('level')})))`,
      `(i32.store8 ${at('out', 1)} (i32.trunc_sat_f32_s (f32.nearest (f32.mul (f32.div (f32.load ${at('row', 4)}) (f32.load ${at('scales', 4)})) (f32.const 127)))))`,
    ),
  )}
  (local.set $row ${get('scales')})
  ${overColumns(
    `(v128.store ${at('row', 4)} (f32x4.div (v128.load ${at('row', 4)}) (v128.const f32x4 127 127 127 127)))`,
    `(f32.store ${at('row', 4)} (f32.div (f32.load ${at('row', 4)}) (f32.const 127)))`,
  )})`;
}

/**
 * $rescale_i8 (acc, rowScales, colScales, c): C[i,j] = f32(acc[i,j]) x
 * (rowScale[i] x colScale[j]), the scales multiplied first so huge x tiny
 * stays in range; four columns a step (f32x4.convert_i32x4_s, the same
 * roundings as the scalar tail), the last N % 4 one at a time.
 */
export function rescaleI8Func(m: number, n: number): string {
  const vectorEnd = 4 * Math.floor(n / 4);
  const at = `(local.set $at (i32.shl (i32.add (i32.mul ${get('i')} (i32.const ${n})) ${get('j')}) (i32.const 2)))`;
  const colScales = `(i32.add ${get('colScales')} (i32.shl ${get('j')} (i32.const 2)))`;
  const vectors =
    vectorEnd === 0
      ? ''
      : `(loop $vectors
      ${at}
      (v128.store (i32.add ${get('c')} ${get('at')})
        (f32x4.mul (f32x4.convert_i32x4_s (v128.load (i32.add ${get('acc')} ${get('at')})))
          (f32x4.mul (f32x4.splat ${get('rowScale')}) (v128.load ${colScales}))))
      (local.set $j (i32.add ${get('j')} (i32.const 4)))
      (br_if $vectors (i32.lt_u ${get('j')} (i32.const ${vectorEnd}))))`;
  const tail =
    vectorEnd === n
      ? ''
      : `(loop $cols
      ${at}
      (f32.store (i32.add ${get('c')} ${get('at')})
        (f32.mul (f32.convert_i32_s (i32.load (i32.add ${get('acc')} ${get('at')})))
          (f32.mul ${get('rowScale')} (f32.load ${colScales}))))
      (local.set $j (i32.add ${get('j')} (i32.const 1)))
      (br_if $cols (i32.lt_u ${get('j')} (i32.const ${n}))))`;
  return `(func $rescale_i8 (param $acc i32) (param $rowScales i32) (param $colScales i32) (param $c i32)
  (local $i i32) (local $j i32) (local $at i32) (local $rowScale f32)
  (loop $rows
    (local.set $rowScale (f32.load (i32.add ${get('rowScales')} (i32.shl ${get('i')} (i32.const 2)))))
    (local.set $j (i32.const 0))
    ${vectors}
    ${tail}
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
