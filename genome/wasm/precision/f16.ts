import { z } from 'zod';
import type { MatmulShape } from '../../ops/matmul-problem.ts';
import { tileRowStore } from '../tile-store.ts';

/**
 * The f16 precision's own kernel genes: an mr x nr register tile over B
 * panels of f16, widened to f32 in the inner loop. nr is 8 or 16: one or two
 * v128 of eight halves per k; kUnroll k steps per loop trip (addresses as
 * immediate offsets, K padded with zeros to a whole trip); fma: one
 * f32x4.relaxed_madd per accumulator instead of a multiply and an add
 * (relaxed SIMD only).
 */
export const F16KernelGenome = z
  .object({
    mr: z.number().int().min(1).max(5),
    nr: z.union([z.literal(8), z.literal(16)]),
    kUnroll: z.union([z.literal(1), z.literal(2), z.literal(4)]),
    fma: z.boolean(),
  })
  .strict();
export type F16KernelGenome = z.infer<typeof F16KernelGenome>;

/** v128 values live in one k step: the accumulators, the widened B vectors, A's broadcast, the loaded halves. */
export const liveF16Vectors = (g: Pick<F16KernelGenome, 'mr' | 'nr'>) => (g.mr * g.nr) / 4 + g.nr / 4 + 2;

const range = (count: number) => Array.from({ length: count }, (_, i) => i);
const get = (name: string) => `(local.get $${name})`;
const i32 = (value: number) => `(i32.const ${value})`;

/** K padded to whole loop trips: A's rows in the workspace and B's panels are this long, zeros past K. */
export const paddedK = (g: F16KernelGenome, k: number) => Math.ceil(k / g.kUnroll) * g.kUnroll;

/**
 * B as f16 at load time, in panels of nr columns: per k the panel's nr halves
 * (zero past N and past K), each eight columns c0..c7 stored c0 c4 c1 c5 c2 c6 c3 c7, so
 * a v128 of them holds c4..c7 in the high halves of its 32-bit lanes, and
 * c0..c3 there after one `i32x4.shl 16`: no shuffle in the inner loop.
 * Then one i32 that says whether any half is Inf or NaN.
 */
export function packedF16(g: F16KernelGenome, { n, k }: MatmulShape) {
  const panels = Math.ceil(n / g.nr);
  const panelBytes = paddedK(g, k) * g.nr * 2;
  return { panels, panelBytes, special: panels * panelBytes, bytes: panels * panelBytes + 4 };
}

/**
 * $prepare_f16 (b, packed): B [K, N] f32 to f16 (round to nearest even,
 * genome/wasm/f16/'s $f32to16x4) in packedF16's order, and the Inf/NaN flag.
 * Panels wholly inside N take eight columns of a row a step (two lane
 * conversions, a narrow, one shuffle into the panel's column order); the
 * panel past N's end and the rows past K go one half at a time.
 */
export function prepareF16Func(g: F16KernelGenome, shape: MatmulShape): string {
  const { n, k } = shape;
  const pack = packedF16(g, shape);
  const kPad = paddedK(g, k);
  const fullPanels = Math.floor(n / g.nr);
  const panelBase = `(i32.add ${get('packed')} (i32.mul ${get('panel')} ${i32(pack.panelBytes)}))`;
  // Where panel column c's half goes in its k row: its group of eight, then 2 (c % 4) + (c % 8 >= 4).
  const lane = `(i32.add (i32.and ${get('col')} (i32.const -8)) (i32.or (i32.shl (i32.and ${get('col')} (i32.const 3)) (i32.const 1)) (i32.and (i32.shr_u ${get('col')} (i32.const 2)) (i32.const 1))))`;
  const source = (offset: number) => `(v128.load offset=${offset} (i32.add ${get('b')} (i32.shl (i32.add (i32.mul ${get('kk')} ${i32(n)}) (i32.mul ${get('panel')} ${i32(g.nr)})) (i32.const 2))))`;
  const eight = (q: number) => `(local.set $v (i8x16.shuffle 0 1 8 9 2 3 10 11 4 5 12 13 6 7 14 15 (i16x8.narrow_i32x4_u (call $f32to16x4 ${source(32 * q)}) (call $f32to16x4 ${source(32 * q + 16)})) (i8x16.splat (i32.const 0))))
        (local.set $specials (v128.or ${get('specials')} (i16x8.eq (v128.and ${get('v')} (v128.const i16x8 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00)) (v128.const i16x8 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00))))
        (v128.store offset=${16 * q} (i32.add ${panelBase} (i32.mul ${get('kk')} ${i32(2 * g.nr)})) ${get('v')})`;
  const vectorPanels =
    fullPanels === 0
      ? ''
      : `(loop $vectorPanels
    (local.set $kk (i32.const 0))
    (loop $vectorRows
      ${range(g.nr / 8).map(eight).join('\n      ')}
      (local.set $kk (i32.add ${get('kk')} (i32.const 1)))
      (br_if $vectorRows (i32.lt_u ${get('kk')} ${i32(k)})))
    (local.set $panel (i32.add ${get('panel')} (i32.const 1)))
    (br_if $vectorPanels (i32.lt_u ${get('panel')} ${i32(fullPanels)})))`;
  return `(func $prepare_f16 (param $b i32) (param $packed i32)
  (local $panel i32) (local $kk i32) (local $col i32) (local $j i32) (local $h i32) (local $special i32) (local $v v128) (local $specials v128)
  ${vectorPanels}
  (local.set $special (v128.any_true ${get('specials')}))
  (local.set $panel (i32.const 0))
  (loop $panels
    ;; what the vector loop left: every row of the panel past N's end, the rows past K of the others
    (local.set $kk (select (i32.const ${k}) (i32.const 0) (i32.lt_u ${get('panel')} ${i32(fullPanels)})))
    (block $none
      (br_if $none (i32.ge_u ${get('kk')} ${i32(kPad)}))
      (loop $ks
        (local.set $col (i32.const 0))
        (loop $cols
          (local.set $j (i32.add (i32.mul ${get('panel')} ${i32(g.nr)}) ${get('col')}))
          (local.set $h (if (result i32) (i32.and (i32.lt_u ${get('j')} ${i32(n)}) (i32.lt_u ${get('kk')} ${i32(k)}))
            (then (i32x4.extract_lane 0 (call $f32to16x4 (f32x4.splat (f32.load (i32.add ${get('b')} (i32.shl (i32.add (i32.mul ${get('kk')} ${i32(n)}) ${get('j')}) (i32.const 2))))))))
            (else (i32.const 0))))
          (local.set $special (i32.or ${get('special')} (i32.eq (i32.and ${get('h')} (i32.const 0x7c00)) (i32.const 0x7c00))))
          (i32.store16 (i32.add ${panelBase} (i32.shl (i32.add (i32.mul ${get('kk')} ${i32(g.nr)}) ${lane}) (i32.const 1))) ${get('h')})
          (local.set $col (i32.add ${get('col')} (i32.const 1)))
          (br_if $cols (i32.lt_u ${get('col')} ${i32(g.nr)})))
        (local.set $kk (i32.add ${get('kk')} (i32.const 1)))
        (br_if $ks (i32.lt_u ${get('kk')} ${i32(kPad)}))))
    (local.set $panel (i32.add ${get('panel')} (i32.const 1)))
    (br_if $panels (i32.lt_u ${get('panel')} ${i32(pack.panels)})))
  (i32.store (i32.add ${get('packed')} ${i32(pack.special)}) ${get('special')}))`;
}

/** 2^112: an f16's value over the f32 its bits make when placed under an f32's exponent field (the two biases differ by 112). */
const REBIAS = '0x1p112';

/**
 * $round_a_f16 (a, dst): A [M, K] rounded to f16 (nearest even, through
 * genome/wasm/f16/'s lane conversions) and times 2^112, exactly (|a| <=
 * 65504 stays below f32's max), into rows of paddedK with zeros past K:
 * what the tile multiplies B's raw halves by (see raw()).
 */
export function roundAFunc(g: F16KernelGenome, { m, k }: MatmulShape): string {
  const kPad = paddedK(g, k);
  const rounded = (x: string) => `(f32x4.mul (call $f16to32x4 (call $f32to16x4 ${x})) (v128.const f32x4 ${REBIAS} ${REBIAS} ${REBIAS} ${REBIAS}))`;
  const vectors = Math.floor(k / 4);
  const vectorLoop =
    vectors === 0
      ? ''
      : `(local.set $e (i32.const 0))
    (loop $vectors
      (v128.store (i32.add ${get('to')} (i32.shl ${get('e')} (i32.const 2))) ${rounded(`(v128.load (i32.add ${get('from')} (i32.shl ${get('e')} (i32.const 2))))`)})
      (local.set $e (i32.add ${get('e')} (i32.const 4)))
      (br_if $vectors (i32.lt_u ${get('e')} ${i32(4 * vectors)})))`;
  const tail = range(kPad - 4 * vectors).map((t) => {
    const e = 4 * vectors + t;
    const value = e < k ? `(f32x4.extract_lane 0 ${rounded(`(f32x4.splat (f32.load offset=${4 * e} ${get('from')}))`)})` : '(f32.const 0)';
    return `(f32.store offset=${4 * e} ${get('to')} ${value})`;
  });
  return `(func $round_a_f16 (param $a i32) (param $dst i32)
  (local $row i32) (local $e i32) (local $from i32) (local $to i32)
  (loop $rows
    (local.set $from (i32.add ${get('a')} (i32.mul ${get('row')} ${i32(4 * k)})))
    (local.set $to (i32.add ${get('dst')} (i32.mul ${get('row')} ${i32(4 * kPad)})))
    ${vectorLoop}
    ${tail.join('\n    ')}
    (local.set $row (i32.add ${get('row')} (i32.const 1)))
    (br_if $rows (i32.lt_u ${get('row')} ${i32(m)}))))`;
}

/**
 * f16 bits in the high half of each 32-bit lane -> the f32 of the half's
 * value x 2^-112: an arithmetic shift by 3 and a mask leave the half's sign,
 * exponent and mantissa where an f32's go (the mask also clears what the
 * low half shifted in, so the odd columns need no masking first: `h` is the
 * loaded vector itself, the even ones come shifted up by 16). Exact for
 * normals (2^-126 and up) and subnormals (an f32 subnormal: WASM floats
 * never flush), so A x 2^112 times it is the product of the halves' values,
 * rounded as the product itself would be. Two operations against the
 * fifteen of the general $f16to32x4, because this runs once per B vector in
 * the inner loop (V8 does not inline WASM calls). Inf and NaN (exponent 31)
 * come out finite, 2^-96 x (1 + m) and up: `special` adds the fix (those get
 * the all-ones exponent over their mantissa), and the kernel runs that
 * variant only when the load-time pack saw such a half.
 */
function raw(h: string, special: boolean): string {
  const value = `(v128.and (i32x4.shr_s ${h} (i32.const 3)) (v128.const i32x4 0x8fffe000 0x8fffe000 0x8fffe000 0x8fffe000))`;
  if (!special) return value;
  return `(v128.or (local.tee $w ${value}) (v128.and (f32x4.ge (f32x4.abs (local.get $w)) (v128.const f32x4 0x1p-96 0x1p-96 0x1p-96 0x1p-96)) (v128.const i32x4 0x7f800000 0x7f800000 0x7f800000 0x7f800000)))`;
}

/**
 * $tiles_f16 / $tiles_f16_special (a, packed, c): C [M, N] f32 = A (rounded
 * to f16, x 2^112: $round_a_f16) x the packed f16 B (raw()), one nr-column
 * panel at a time and within it mr rows at a time, every k: the panel's
 * halves unpacked, A's value broadcast per row, a multiply-add per accumulator. Rows past
 * M read row M-1 and are not stored; columns past N multiply packed zeros
 * and are stored lane by lane up to N.
 */
export function tilesF16Func(g: F16KernelGenome, { m, n, k }: MatmulShape, special: boolean): string {
  const pack = packedF16(g, { m, n, k });
  const kPad = paddedK(g, k);
  const groups = g.nr / 8;
  const accs = g.nr / 4;
  const locals = [
    '(local $panel i32) (local $i0 i32) (local $kk i32) (local $bp i32) (local $j i32) (local $h v128) (local $va v128) (local $w v128)',
    range(g.mr).map((r) => `(local $ap${r} i32)`).join(' '),
    range(g.mr).flatMap((r) => range(accs).map((v) => `(local $c${r}_${v} v128)`)).join(' '),
    range(accs).map((v) => `(local $b${v} v128)`).join(' '),
  ].join('\n    ');
  const multiplyAdd = (acc: string, b: string) =>
    g.fma ? `(local.set $${acc} (f32x4.relaxed_madd ${get('va')} ${get(b)} ${get(acc)}))` : `(local.set $${acc} (f32x4.add ${get(acc)} (f32x4.mul ${get('va')} ${get(b)})))`;
  const step = (u: number) => [
    ...range(groups).flatMap((q) => [
      `(local.set $h (v128.load offset=${u * 2 * g.nr + 16 * q} ${get('bp')}))`,
      `(local.set $b${2 * q} ${raw(`(i32x4.shl ${get('h')} (i32.const 16))`, special)})`,
      `(local.set $b${2 * q + 1} ${raw(get('h'), special)})`,
    ]),
    ...range(g.mr).flatMap((r) => [`(local.set $va (v128.load32_splat offset=${4 * u} ${get(`ap${r}`)}))`, ...range(accs).map((v) => multiplyAdd(`c${r}_${v}`, `b${v}`))]),
  ];
  const trip = [
    ...range(g.kUnroll).flatMap(step),
    ...range(g.mr).map((r) => `(local.set $ap${r} (i32.add ${get(`ap${r}`)} ${i32(4 * g.kUnroll)}))`),
    `(local.set $bp (i32.add ${get('bp')} ${i32(2 * g.nr * g.kUnroll)}))`,
  ].join('\n        ');
  const store = (r: number) =>
    tileRowStore({ c: get('c'), row: `(i32.add ${get('i0')} ${i32(r)})`, col: get('j'), m, n, vectors: range(accs).map((v) => get(`c${r}_${v}`)), lanes: 'f32' });
  return `(func $tiles_f16${special ? '_special' : ''} (param $a i32) (param $packed i32) (param $c i32)
    ${locals}
  (loop $panels
    (local.set $j (i32.mul ${get('panel')} ${i32(g.nr)}))
    (local.set $i0 (i32.const 0))
    (loop $tiles
      ${range(g.mr)
        .map((r) => `(local.set $ap${r} (i32.add ${get('a')} (i32.mul (select (i32.add ${get('i0')} ${i32(r)}) ${i32(m - 1)} (i32.lt_u (i32.add ${get('i0')} ${i32(r)}) ${i32(m)})) ${i32(4 * kPad)})))`)
        .join('\n      ')}
      ${range(g.mr).flatMap((r) => range(accs).map((v) => `(local.set $c${r}_${v} (v128.const i32x4 0 0 0 0))`)).join(' ')}
      (local.set $bp (i32.add ${get('packed')} (i32.mul ${get('panel')} ${i32(pack.panelBytes)})))
      (local.set $kk (i32.const 0))
      (loop $ks
        ${trip}
        (local.set $kk (i32.add ${get('kk')} ${i32(g.kUnroll)}))
        (br_if $ks (i32.lt_u ${get('kk')} ${i32(kPad)})))
      ${range(g.mr).map(store).join('\n      ')}
      (local.set $i0 (i32.add ${get('i0')} ${i32(g.mr)}))
      (br_if $tiles (i32.lt_u ${get('i0')} ${i32(m)})))
    (local.set $panel (i32.add ${get('panel')} (i32.const 1)))
    (br_if $panels (i32.lt_u ${get('panel')} ${i32(pack.panels)}))))`;
}
