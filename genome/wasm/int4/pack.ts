import type { MatmulProblem } from '../../ops/matmul-problem.ts';
import { EXPORTED, matmulWat } from '../codegen.ts';
import { get, i32, indent, internalize, MEMORY_IMPORT, moduleFields, offsetArg } from '../wat.ts';
import type { PackGenome } from './genome.ts';
import { layoutOf, paramList, type Int4Kernel } from './problem.ts';

/** Workspace bytes: (w4a8) A as f32 [M, K], then the f32 kernel's own packing space. */
export const packWorkspaceBytes = (p: Int4Kernel) => 4 * ((p.dtype === 'w4a8' ? p.m * p.k : 0) + p.m * p.k + p.k * p.n);

/** Bytes of W, B dequantized at load time into the launch's packed region: f32 [K, N] (or the same floats in the f32 kernel's panels). */
export const packedWBytes = (p: Int4Kernel) => 4 * p.k * p.n;

/** The inputs (ABI order) the load-time step reads: B, its scales and (w4) its zero points. */
export const packWeights = (p: Int4Kernel) => (p.dtype === 'w4' ? [1, 2, ...(p.zeroPoints ? [3] : [])] : [1, 3]);

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const interleave = (half: 0 | 1) => range(8).flatMap((i) => [half * 8 + i, 16 + half * 8 + i]).join(' ');

/**
 * Where the f32 kernel with B packed at load reads W (codegen.ts prepareFunc):
 * W[k, j] at pc*N + j0*kcb + (k - pc)*w + (j - j0) floats, pc = k's K block
 * (kc rows, the last kcb), j0 = j's nr-column panel (w wide, the last N % nr).
 */
interface Panels {
  readonly nr: number;
  readonly kc: number;
}

/**
 * B -> W = (q - zp) * scale as f32 [K, N] (row-major, the f32 kernel's B), or
 * straight into its panels (B packed at load), 32 weights per step: nibbles
 * unpacked, interleaved back into k order, widened to f32, scaled, and
 * stored down column n one lane at a time. The padding past K is never
 * stored. Into panels, a column's k steps are w floats apart within a K
 * block; the address is computed afresh at every run of k that no block
 * boundary splits (a group when one K block holds all of K, else gcd(group, kc) k).
 */
function dequantizeBFunc(p: Int4Kernel, panels?: Panels): string {
  const l = layoutOf(p);
  const w4 = p.dtype === 'w4';
  const fullGroups = Math.floor(p.k / p.group);
  const rest = p.k - fullGroups * p.group;
  const chunk = (ch: number, limit: number) => {
    const unpack = w4
      ? [
          `(local.set $lo (i8x16.sub (v128.and (local.tee $bytes (v128.load${offsetArg(ch * 16)} ${get('from')})) (v128.const i8x16 ${'15 '.repeat(15)}15)) ${get('z')}))`,
          `(local.set $hi (i8x16.sub (i8x16.shr_u ${get('bytes')} (i32.const 4)) ${get('z')}))`,
        ]
      : [
          `(local.set $lo (i8x16.shr_s (i8x16.shl (local.tee $bytes (v128.load${offsetArg(ch * 16)} ${get('from')})) (i32.const 4)) (i32.const 4)))`,
          `(local.set $hi (i8x16.shr_s ${get('bytes')} (i32.const 4)))`,
        ];
    const store = (k: number) =>
      panels
        ? [...(k % run === 0 ? runStart(k) : []), `(v128.store32_lane ${k % 4} ${get('out')} ${get('w')})`, `(local.set $out (i32.add ${get('out')} ${get('step')}))`]
        : [`(v128.store32_lane${offsetArg(k * p.n * 4)} ${k % 4} ${get('out')} ${get('w')})`];
    const stores = range(8).flatMap((q) => {
      const ks = range(4).map((lane) => ch * 32 + q * 4 + lane).filter((k) => k < limit);
      if (ks.length === 0) return [];
      const x = `(i8x16.shuffle ${interleave(q < 4 ? 0 : 1)} ${get('lo')} ${get('hi')})`;
      const i16 = `(i16x8.extend_${q % 4 < 2 ? 'low' : 'high'}_i8x16_s ${x})`;
      const value = `(f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_${q % 2 === 0 ? 'low' : 'high'}_i16x8_s ${i16})) ${get('s')})`;
      return [`(local.set $w ${value})`, ...ks.flatMap(store)];
    });
    return [...unpack, ...stores];
  };
  const run = panels ? (panels.kc >= p.k ? p.group : gcd(p.group, panels.kc)) : 0;
  /** $out at W[g * group + k, n] in the panels: its K block's start and depth from k, the column's panel from the column loop. */
  const runStart = (k: number) =>
    panels
      ? [
          `(local.set $k (i32.add (i32.mul ${get('g')} ${i32(p.group)}) ${i32(k)}))`,
          `(local.set $pc (i32.sub ${get('k')} (i32.rem_u ${get('k')} ${i32(panels.kc)})))`,
          `(local.set $out (i32.add ${get('dst')} (i32.add (i32.mul (i32.sub ${get('k')} ${get('pc')}) ${get('step')}) (i32.shl (i32.add (i32.mul ${get('pc')} ${i32(p.n)}) (i32.add (i32.mul ${get('j0')} (select ${i32(panels.kc)} (i32.sub ${i32(p.k)} ${get('pc')}) (i32.lt_u ${i32(panels.kc)} (i32.sub ${i32(p.k)} ${get('pc')})))) (i32.sub ${get('n')} ${get('j0')}))) (i32.const 2)))))`,
        ]
      : [];
  const zeroPoint = p.zeroPoints
    ? `(i8x16.splat (i32.and (i32.shr_u (i32.load8_u (i32.add ${get('zp')} (i32.add (i32.mul ${get('n')} ${i32(l.zeroPointRowBytes)}) (i32.shr_u ${get('g')} (i32.const 1))))) (i32.shl (i32.and ${get('g')} (i32.const 1)) (i32.const 2))) (i32.const 15)))`
    : '(v128.const i8x16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8)';
  /** One group of column n: its scale and zero point, then `limit` of its weights. */
  const group = (limit: number) =>
    [
      `(local.set $s (f32x4.splat (f32.load (i32.add ${get('scales')} (i32.shl (i32.add (i32.mul ${get('n')} ${i32(l.blocks)}) ${get('g')}) (i32.const 2))))))`,
      ...(w4 ? [`(local.set $z ${zeroPoint})`] : []),
      `(local.set $from (i32.add ${get('b')} (i32.add (i32.mul ${get('n')} ${i32((l.blocks * p.group) / 2)}) (i32.mul ${get('g')} ${i32(p.group / 2)}))))`,
      ...(panels ? [] : [`(local.set $out (i32.add ${get('dst')} (i32.shl (i32.add (i32.mul ${get('g')} ${i32(p.group * p.n)}) ${get('n')}) (i32.const 2))))`]),
      ...range(Math.ceil(limit / 32)).flatMap((ch) => chunk(ch, limit)),
    ].join('\n');
  const groupLoop = fullGroups
    ? `(local.set $g (i32.const 0))
(loop $groups
${indent(group(p.group), 1)}
  (local.set $g (i32.add ${get('g')} (i32.const 1)))
  (br_if $groups (i32.lt_u ${get('g')} ${i32(fullGroups)})))`
    : '';
  const lastGroup = rest ? `;; the last group: ${rest} of its ${p.group} weights are in K\n(local.set $g ${i32(fullGroups)})\n${group(rest)}` : '';
  // into panels: the column's panel and how far apart its k steps lie (w floats)
  const panelOf = panels
    ? [
        `(local.set $j0 (i32.sub ${get('n')} (i32.rem_u ${get('n')} ${i32(panels.nr)})))`,
        `(local.set $step (i32.shl (select ${i32(panels.nr)} (i32.sub ${i32(p.n)} ${get('j0')}) (i32.lt_u ${i32(panels.nr)} (i32.sub ${i32(p.n)} ${get('j0')}))) (i32.const 2)))`,
      ].join('\n')
    : '';
  return `;; B (${p.dtype === 'w4' ? 'unsigned nibbles minus zero points' : 'signed nibbles'}) times the group scales -> W f32 [${p.k}, ${p.n}]${panels ? ` in the f32 kernel's ${panels.nr}-column panels, K blocks of ${panels.kc}` : ''}
(func $dequantize_b (param $b i32) (param $scales i32) (param $zp i32) (param $dst i32)
  (local $n i32) (local $g i32) (local $from i32) (local $out i32)${panels ? ' (local $k i32) (local $pc i32) (local $j0 i32) (local $step i32)' : ''}
  (local $bytes v128) (local $lo v128) (local $hi v128) (local $s v128) (local $z v128) (local $w v128)
  (loop $columns
${indent([panelOf, groupLoop, lastGroup].filter(Boolean).join('\n'), 2)}
    (local.set $n (i32.add ${get('n')} (i32.const 1)))
    (br_if $columns (i32.lt_u ${get('n')} ${i32(p.n)}))))`;
}

/** w4a8: A[i, k] * aScale[i] as f32 [M, K]. */
function dequantizeAFunc(p: Int4Kernel): string {
  return `;; int8 A times its row scales -> f32 [${p.m}, ${p.k}]
(func $dequantize_a (param $a i32) (param $aScales i32) (param $dst i32)
  (local $i i32) (local $k i32) (local $scale f32)
  (loop $rows
    (local.set $scale (f32.load (i32.add ${get('aScales')} (i32.shl ${get('i')} (i32.const 2)))))
    (local.set $k (i32.const 0))
    (loop $ks
      (f32.store ${get('dst')} (f32.mul (f32.convert_i32_s (i32.load8_s (i32.add ${get('a')} ${get('k')}))) ${get('scale')}))
      (local.set $dst (i32.add ${get('dst')} (i32.const 4)))
      (local.set $k (i32.add ${get('k')} (i32.const 1)))
      (br_if $ks (i32.lt_u ${get('k')} ${i32(p.k)})))
    (local.set $a (i32.add ${get('a')} ${i32(p.k)}))
    (local.set $i (i32.add ${get('i')} (i32.const 1)))
    (br_if $rows (i32.lt_u ${get('i')} ${i32(p.m)}))))`;
}

/** The f32 tiled kernel's functions for C = A x W, its entry renamed $gemm (a, w, c, ws). */
function gemmFuncs(g: PackGenome, p: Int4Kernel): string {
  const f32: MatmulProblem = { op: 'matmul', shape: { m: p.m, n: p.n, k: p.k }, dtype: 'f32' };
  // B packed at load: the panels are dequantize_b's to write, so no f32 prepare entry
  const text = matmulWat({ op: 'matmul', backend: 'wasm', family: 'tiled', ...g.gemm }, f32, { ...EXPORTED, prepare: null });
  return internalize(moduleFields(text), 'matmul', '$gemm');
}

/**
 * Genome -> WAT for a 4-bit matmul that dequantizes B into f32 at load time
 * (its `prepare` entry, into the launch's packed region), then per call
 * (w4a8: A into f32 first) runs the f32 tiled kernel on that resident W:
 * row-major W, which the f32 kernel packs per call or reads as it lies, or
 * (gemm packB 'load') W already in the f32 kernel's panels. Pure.
 */
export function packWat(g: PackGenome, p: Int4Kernel): string {
  const w4 = p.dtype === 'w4';
  const panels = g.gemm.packB === 'load' ? { nr: g.gemm.nr, kc: g.gemm.kc } : undefined;
  // the f32 kernel reads W's panels through its last parameter; its B is not read then
  const w = panels ? ` ${get('packed')}` : '';
  const aBytes = w4 ? 0 : p.m * p.k * 4;
  const prepare = `(func (export "prepare") (param $b i32) (param $scales i32)${p.zeroPoints ? ' (param $zp i32)' : ''} (param $packed i32)
  (call $dequantize_b ${get('b')} ${get('scales')} ${p.zeroPoints ? get('zp') : '(i32.const 0)'} ${get('packed')}))`;
  const entry = `(func (export "matmul") ${paramList(p)} (param $packed i32)
${
  w4
    ? `  (call $gemm ${get('a')} ${get('packed')} ${get('c')} ${get('ws')}${w}))`
    : `  (call $dequantize_a ${get('a')} ${get('aScales')} ${get('ws')})
  (call $gemm ${get('ws')} ${get('packed')} ${get('c')} (i32.add ${get('ws')} ${i32(aBytes)})${w}))`
}`;
  return `;; kevo matmul ${p.m}x${p.n}x${p.k} ${p.dtype}, groups of ${p.group}${p.zeroPoints ? ' with zero points' : ''}: dequantized to f32 at load time, then the f32 tiled kernel
(module
  ${MEMORY_IMPORT}
${indent([dequantizeBFunc(p, panels), ...(w4 ? [] : [dequantizeAFunc(p)]), prepare, entry].join('\n\n'), 1)}
${gemmFuncs(g, p)})
`;
}
