import { get, i32, indent, offsetArg } from '../wat.ts';
import type { InlineGenome } from './genome.ts';
import { layoutOf, paddedK, paramList, type Int4Kernel } from './problem.ts';

/**
 * How A is repacked per call, per 32 k (16 bytes of B): the 16 even k, then
 * the 16 odd, so the low nibbles of a B vector line up with one A run and the
 * high nibbles with the next. Padded with zeros to whole groups. w4 keeps f32;
 * w4a8 keeps int8 for the relaxed dot, or widens to int16 for dot_i16x8.
 */
interface Repack {
  /** Bytes per element of the repacked A. */
  readonly size: 1 | 2 | 4;
  readonly load: string;
  readonly store: string;
  readonly type: 'f32' | 'i32';
}

function repackOf(p: Int4Kernel, g: InlineGenome): Repack {
  if (p.dtype === 'w4') return { size: 4, load: 'f32.load', store: 'f32.store', type: 'f32' };
  return g.relaxed ? { size: 1, load: 'i32.load8_s', store: 'i32.store8', type: 'i32' } : { size: 2, load: 'i32.load8_s', store: 'i32.store16', type: 'i32' };
}

/**
 * w4a8 with the relaxed dot feeds it unsigned nibbles q + 8 (0..15): V8 on x64
 * lowers i32x4.relaxed_dot_i8x16_i7x16_add_s to pmaddubsw, which reads the
 * second operand as unsigned, so "7-bit" means 0..127 and a negative nibble
 * comes out as 248..255 (measured: wrong sums). A.(q + 8) - 8 * sum(A) over
 * the group is A.q exactly; the kernel precomputes 8 * sum(A) per row and
 * group as i32 in the workspace, after the repacked A.
 */
const biased = (p: Int4Kernel, g: InlineGenome) => p.dtype === 'w4a8' && g.relaxed;

/** Workspace bytes the inline kernel needs: the repacked A (and the biased kernel's group sums of A). */
export const inlineWorkspaceBytes = (p: Int4Kernel, g: InlineGenome) => p.m * paddedK(p) * repackOf(p, g).size + (biased(p, g) ? p.m * layoutOf(p).blocks * 4 : 0);

/** 8 * sum of A[i, k] over each group, as i32 [M, blocks]: the correction the biased nibbles need. */
function groupSumsFunc(p: Int4Kernel): string {
  const l = layoutOf(p);
  return `;; 8 * (sum of A over each group of each row) as i32, to take back the + 8 of the biased nibbles
(func $group_sums (param $a i32) (param $dst i32)
  (local $i i32) (local $g i32) (local $k i32) (local $end i32) (local $sum i32)
  (loop $rows
    (local.set $g (i32.const 0))
    (loop $groups
      (local.set $sum (i32.const 0))
      (local.set $k (i32.mul ${get('g')} ${i32(p.group)}))
      (local.set $end (select ${i32(p.k)} (i32.add ${get('k')} ${i32(p.group)}) (i32.gt_u (i32.add ${get('k')} ${i32(p.group)}) ${i32(p.k)})))
      (loop $ks
        (local.set $sum (i32.add ${get('sum')} (i32.load8_s (i32.add ${get('a')} ${get('k')}))))
        (local.set $k (i32.add ${get('k')} (i32.const 1)))
        (br_if $ks (i32.lt_u ${get('k')} ${get('end')})))
      (i32.store ${get('dst')} (i32.shl ${get('sum')} (i32.const 3)))
      (local.set $dst (i32.add ${get('dst')} (i32.const 4)))
      (local.set $g (i32.add ${get('g')} (i32.const 1)))
      (br_if $groups (i32.lt_u ${get('g')} ${i32(l.blocks)})))
    (local.set $a (i32.add ${get('a')} ${i32(p.k)}))
    (local.set $i (i32.add ${get('i')} (i32.const 1)))
    (br_if $rows (i32.lt_u ${get('i')} ${i32(p.m)}))))`;
}

function repackFunc(p: Int4Kernel, r: Repack): string {
  const inSize = p.dtype === 'w4' ? 4 : 1;
  const shift = (bytes: number) => Math.log2(bytes);
  // destination position kk takes source k = (kk & ~31) | (kk & 15) << 1 | (kk >> 4 & 1)
  return `;; A[M, K] -> per row, per 32 k: the even k then the odd, zero past K (see Repack)
(func $repack_a (param $a i32) (param $dst i32)
  (local $i i32) (local $kk i32) (local $src i32)
  (loop $rows
    (local.set $kk (i32.const 0))
    (loop $ks
      (local.set $src (i32.or (i32.or (i32.and ${get('kk')} (i32.const -32)) (i32.shl (i32.and ${get('kk')} (i32.const 15)) (i32.const 1))) (i32.and (i32.shr_u ${get('kk')} (i32.const 4)) (i32.const 1))))
      (${r.store} (i32.add ${get('dst')} (i32.shl ${get('kk')} ${i32(shift(r.size))}))
        (if (result ${r.type}) (i32.lt_u ${get('src')} ${i32(p.k)})
          (then (${r.load} (i32.add ${get('a')} (i32.shl ${get('src')} ${i32(shift(inSize))}))))
          (else (${r.type}.const 0))))
      (local.set $kk (i32.add ${get('kk')} (i32.const 1)))
      (br_if $ks (i32.lt_u ${get('kk')} ${i32(paddedK(p))})))
    (local.set $a (i32.add ${get('a')} ${i32(p.k * inSize)}))
    (local.set $dst (i32.add ${get('dst')} ${i32(paddedK(p) * r.size)}))
    (local.set $i (i32.add ${get('i')} (i32.const 1)))
    (br_if $rows (i32.lt_u ${get('i')} ${i32(p.m)}))))`;
}

const tileName = (rows: number, cols: number) => `$tile_${rows}x${cols}`;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const ZERO = '(v128.const i32x4 0 0 0 0)';

/** Four lanes of an i8x16 of small integers (quarter q of 16) as f32x4. */
function i8QuarterToF32(v: string, q: number): string {
  const i16 = `(i16x8.extend_${q < 2 ? 'low' : 'high'}_i8x16_s ${v})`;
  return `(f32x4.convert_i32x4_s (i32x4.extend_${q % 2 === 0 ? 'low' : 'high'}_i16x8_s ${i16}))`;
}

/** Sum of an f32x4's lanes. */
const horizontalSum = (v: string) =>
  `(f32.add (f32x4.extract_lane 0 (local.tee $sum (f32x4.add ${v} (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 ${v} ${v})))) (f32x4.extract_lane 1 ${get('sum')}))`;

/**
 * One tile: C[rows, cols] over all of K, group by group. The tile's B columns
 * are read once, 16 bytes (32 weights) at a time, unpacked into a low-nibble
 * vector (the even k) and a high-nibble one (the odd k).
 */
function tileFunc(p: Int4Kernel, g: InlineGenome, rows: number, cols: number): string {
  const l = layoutOf(p);
  const r = repackOf(p, g);
  const w4 = p.dtype === 'w4';
  const aRow = paddedK(p) * r.size;
  const bCol = (l.blocks * p.group) / 2;
  const chunks = p.group / 32;
  const scaleAfter = !w4 || g.scale === 'group';
  const chains = w4 ? g.chains : 1;
  const acc = (i: number, j: number, c = 0) => `acc${i}_${j}_${c}`;
  const accs = (i: number, j: number) => range(chains).map((c) => acc(i, j, c));
  /** The sum of an output's chains (f32). */
  const chainSum = (i: number, j: number) => accs(i, j).map(get).reduce((x, y) => `(f32x4.add ${x} ${y})`);
  const tot = (i: number, j: number) => `tot${i}_${j}`;
  const each = (f: (i: number, j: number) => string) => range(rows).flatMap((i) => range(cols).map((j) => f(i, j)));
  const madd = (a: string, b: string, c: string) => (g.relaxed ? `(f32x4.relaxed_madd ${a} ${b} ${c})` : `(f32x4.add ${c} (f32x4.mul ${a} ${b}))`);

  const zeroPoint = (j: number) =>
    p.zeroPoints
      ? `(i8x16.splat (i32.and (i32.shr_u (i32.load8_u${offsetArg(j * l.zeroPointRowBytes)} (i32.add ${get('zq')} (i32.shr_u ${get('g')} (i32.const 1)))) (i32.shl (i32.and ${get('g')} (i32.const 1)) (i32.const 2))) (i32.const 15)))`
      : '(v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8)';
  const groupSetup = [
    ...range(cols).map((j) => `(local.set $s${j} (f32x4.splat (f32.load${offsetArg(j * l.blocks * 4)} (i32.add ${get('sp')} (i32.shl ${get('g')} (i32.const 2))))))`),
    ...(w4 ? range(cols).map((j) => `(local.set $z${j} ${zeroPoint(j)})`) : []),
    ...(scaleAfter ? each((i, j) => accs(i, j).map((a) => `(local.set $${a} ${ZERO})`).join(' ')) : []),
  ];

  const unpack = (ch: number) =>
    range(cols).flatMap((j) => {
      const bytes = `(v128.load${offsetArg(j * bCol + ch * 16)} ${get('bp')})`;
      return w4
        ? [
            `(local.set $lo${j} (i8x16.sub (v128.and (local.tee $bytes ${bytes}) (v128.const i8x16 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15 15)) ${get(`z${j}`)}))`,
            `(local.set $hi${j} (i8x16.sub (i8x16.shr_u ${get('bytes')} (i32.const 4)) ${get(`z${j}`)}))`,
          ]
        : g.relaxed
          ? [
              // two's complement nibble q xor 8 is q + 8: 0..15, what pmaddubsw reads right (see biased)
              `(local.set $lo${j} (v128.and (local.tee $bytes (v128.xor ${bytes} (v128.const i8x16 ${'136 '.repeat(15)}136))) (v128.const i8x16 ${'15 '.repeat(15)}15)))`,
              `(local.set $hi${j} (i8x16.shr_u ${get('bytes')} (i32.const 4)))`,
            ]
          : [
              `(local.set $lo${j} (i8x16.shr_s (i8x16.shl (local.tee $bytes ${bytes}) (i32.const 4)) (i32.const 4)))`,
              `(local.set $hi${j} (i8x16.shr_s ${get('bytes')} (i32.const 4)))`,
            ];
    });
  const aLoad = (i: number, byteInChunk: number, ch: number) => `(local.set $a${i} (v128.load${offsetArg(i * aRow + ch * 32 * r.size + byteInChunk)} ${get('ap')}))`;
  const halves = ['lo', 'hi'] as const;

  const chunkBody = (ch: number): string[] => {
    const lines = [`;; k ${ch * 32}..${ch * 32 + 31} of the group`, ...unpack(ch)];
    halves.forEach((h, hIndex) => {
      if (w4) {
        for (const q of range(4)) {
          lines.push(...range(rows).map((i) => aLoad(i, (hIndex * 16 + q * 4) * 4, ch)));
          for (const j of range(cols)) {
            const w = i8QuarterToF32(get(`${h}${j}`), q);
            lines.push(`(local.set $w ${scaleAfter ? w : `(f32x4.mul ${w} ${get(`s${j}`)})`})`);
            const c = (hIndex * 4 + q) % chains;
            lines.push(...range(rows).map((i) => `(local.set $${acc(i, j, c)} ${madd(get(`a${i}`), get('w'), get(acc(i, j, c)))})`));
          }
        }
      } else if (g.relaxed) {
        lines.push(...range(rows).map((i) => aLoad(i, hIndex * 16, ch)));
        lines.push(...each((i, j) => `(local.set $${acc(i, j)} (i32x4.relaxed_dot_i8x16_i7x16_add_s ${get(`a${i}`)} ${get(`${h}${j}`)} ${get(acc(i, j))}))`));
      } else {
        for (const half of ['low', 'high'] as const) {
          lines.push(...range(rows).map((i) => aLoad(i, hIndex * 32 + (half === 'low' ? 0 : 16), ch)));
          for (const j of range(cols)) {
            lines.push(`(local.set $w (i16x8.extend_${half}_i8x16_s ${get(`${h}${j}`)}))`);
            lines.push(...range(rows).map((i) => `(local.set $${acc(i, j)} (i32x4.add ${get(acc(i, j))} (i32x4.dot_i16x8_s ${get(`a${i}`)} ${get('w')})))`));
          }
        }
      }
    });
    return lines;
  };

  const fold = scaleAfter
    ? each((i, j) => {
        const sums = biased(p, g) ? `(i32x4.sub ${get(acc(i, j))} (v128.load32_zero${offsetArg(i * l.blocks * 4)} (i32.add ${get('gs')} (i32.shl ${get('g')} (i32.const 2)))))` : get(acc(i, j));
        const partial = w4 ? chainSum(i, j) : `(f32x4.convert_i32x4_s ${sums})`;
        return `(local.set $${tot(i, j)} ${madd(partial, get(`s${j}`), get(tot(i, j)))})`;
      })
    : [];
  const store = each((i, j) => {
    const sum = horizontalSum(scaleAfter ? get(tot(i, j)) : chainSum(i, j));
    return `(f32.store${offsetArg((i * p.n + j) * 4)} ${get('cp')} ${w4 ? sum : `(f32.mul ${sum} (f32.load${offsetArg(i * 4)} ${get('asp')}))`})`;
  });

  const params = ['ap', 'bp', 'sp', ...(p.zeroPoints ? ['zq'] : []), ...(w4 ? [] : ['asp']), ...(biased(p, g) ? ['gs'] : []), 'cp'].map((x) => `(param $${x} i32)`).join(' ');
  const locals = [
    '(local $g i32) (local $bytes v128) (local $w v128) (local $sum v128)',
    range(rows).map((i) => `(local $a${i} v128)`).join(' '),
    range(cols).map((j) => `(local $s${j} v128) (local $lo${j} v128) (local $hi${j} v128)${w4 ? ` (local $z${j} v128)` : ''}`).join(' '),
    each((i, j) => `${accs(i, j).map((a) => `(local $${a} v128)`).join(' ')}${scaleAfter ? ` (local $${tot(i, j)} v128)` : ''}`).join(' '),
  ].join('\n');
  return `;; C[${rows}, ${cols}] = A x dequantized B over all ${l.blocks} groups; B unpacked once per tile
(func ${tileName(rows, cols)} ${params}
${indent(locals, 1)}
${indent(each((i, j) => (scaleAfter ? [tot(i, j)] : accs(i, j)).map((v) => `(local.set $${v} ${ZERO})`).join(' ')).join('\n'), 1)}
  (loop $groups
${indent([...groupSetup, ...range(chunks).flatMap(chunkBody), ...fold].join('\n'), 2)}
    (local.set $bp (i32.add ${get('bp')} ${i32(p.group / 2)}))
    (local.set $ap (i32.add ${get('ap')} ${i32(p.group * r.size)}))
    (local.set $g (i32.add ${get('g')} (i32.const 1)))
    (br_if $groups (i32.lt_u ${get('g')} ${i32(l.blocks)})))
${indent(store.join('\n'), 1)})`;
}

/** Genome -> WAT for a 4-bit matmul dequantizing in the inner loop (see InlineGenome). Pure. */
export function inlineWat(g: InlineGenome, p: Int4Kernel): string {
  const l = layoutOf(p);
  const r = repackOf(p, g);
  const { mr, nr } = g;
  const mFull = p.m - (p.m % mr);
  const nFull = p.n - (p.n % nr);
  const sizes = new Map<string, [number, number]>();
  // the group sums follow the repacked A in the workspace
  const groupSums = p.m * paddedK(p) * r.size;
  const call = (rows: number, cols: number) => {
    sizes.set(`${rows}x${cols}`, [rows, cols]);
    const args = [
      `(i32.add ${get('ws')} (i32.mul ${get('i')} ${i32(paddedK(p) * r.size)}))`,
      `(i32.add ${get('b')} (i32.mul ${get('j')} ${i32((l.blocks * p.group) / 2)}))`,
      `(i32.add ${get('scales')} (i32.mul ${get('j')} ${i32(l.blocks * 4)}))`,
      ...(p.zeroPoints ? [`(i32.add ${get('zp')} (i32.mul ${get('j')} ${i32(l.zeroPointRowBytes)}))`] : []),
      ...(p.dtype === 'w4a8' ? [`(i32.add ${get('aScales')} (i32.shl ${get('i')} (i32.const 2)))`] : []),
      ...(biased(p, g) ? [`(i32.add ${get('ws')} (i32.add ${i32(groupSums)} (i32.mul ${get('i')} ${i32(l.blocks * 4)})))`] : []),
      `(i32.add ${get('c')} (i32.shl (i32.add (i32.mul ${get('i')} ${i32(p.n)}) ${get('j')}) (i32.const 2)))`,
    ];
    return `(call ${tileName(rows, cols)} ${args.join(' ')})`;
  };
  const loop = (v: 'i' | 'j', step: number, full: number, body: string) =>
    full === 0
      ? ''
      : `(local.set $${v} (i32.const 0))
(loop $${v}_loop
${indent(body, 1)}
  (local.set $${v} (i32.add ${get(v)} ${i32(step)}))
  (br_if $${v}_loop (i32.lt_u ${get(v)} ${i32(full)})))`;
  const rowPanels = (cols: number) =>
    [loop('i', mr, mFull, call(mr, cols)), mFull < p.m ? `(local.set $i ${i32(mFull)})\n${call(p.m - mFull, cols)}` : ''].filter(Boolean).join('\n');
  const strips = [loop('j', nr, nFull, rowPanels(nr)), nFull < p.n ? `(local.set $j ${i32(nFull)})\n${rowPanels(p.n - nFull)}` : ''].filter(Boolean).join('\n');
  const entry = `(func (export "matmul") ${paramList(p)}
  (local $i i32) (local $j i32)
  (call $repack_a ${get('a')} ${get('ws')})${biased(p, g) ? `\n  (call $group_sums ${get('a')} (i32.add ${get('ws')} ${i32(groupSums)}))` : ''}
${indent(strips, 1)})`;
  const tiles = [...sizes.values()].map(([rows, cols]) => tileFunc(p, g, rows, cols));
  return `;; kevo matmul ${p.m}x${p.n}x${p.k} ${p.dtype}, groups of ${p.group}${p.zeroPoints ? ' with zero points' : ''}: B unpacked in the inner loop
;; genome: ${mr}x${nr} tile, ${p.dtype === 'w4' ? `scale per ${g.scale}` : 'integer dot per group, scaled after'}, ${g.relaxed ? 'relaxed SIMD' : 'no relaxed SIMD'}
(module
  (import "env" "memory" (memory 1))
${indent([repackFunc(p, r), ...(biased(p, g) ? [groupSumsFunc(p)] : []), ...tiles, entry].join('\n\n'), 1)})
`;
}
