import type { WinogradTransforms } from '../../ops/conv/winograd.ts';
import { applyEpilogue, type EpilogueSpec } from '../epilogue.ts';
import { counted } from '../conv/loops.ts';
import { get, i32, indent, loadLanes, offsetArg, storeLanes } from '../wat.ts';
import type { WinogradLayout } from './layout.ts';
import { sandwich } from './transform.ts';

/**
 * The three transforms and the image as WAT functions, f32x4 over channels.
 * Each works on whole vectors of 4 channels; a last partial vector of K
 * loads only its lanes (zeros in the others), so U's padding columns are 0.
 */

const grid = (rows: number, cols: number, at: (i: number, j: number) => string) => Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => at(i, j)));

/** X [n,h,w,c] into the zeroed image [n,hp,wp,c4] at (top, left): pixel by pixel when c is no multiple of 4. */
export function placeFunc(l: WinogradLayout): string {
  const { g, hp, wp, c4 } = l;
  const rowAt = `(i32.add ${get('dst')} (i32.mul (i32.add (i32.mul (i32.div_u ${get('row')} ${i32(g.h)}) ${i32(hp)}) (i32.add (i32.rem_u ${get('row')} ${i32(g.h)}) ${i32(g.top)})) ${i32(wp * c4 * 4)}))`;
  const copy =
    c4 === g.c
      ? `(memory.copy (i32.add ${rowAt} ${i32(g.left * c4 * 4)}) ${get('src')} ${i32(g.w * g.c * 4)})`
      : counted('x', g.w, `(memory.copy (i32.add ${rowAt} (i32.mul (i32.add ${get('x')} ${i32(g.left)}) ${i32(c4 * 4)})) (i32.add ${get('src')} (i32.mul ${get('x')} ${i32(g.c * 4)})) ${i32(g.c * 4)})`);
  return `;; the image: X [${g.n},${g.h},${g.w},${g.c}] at (${g.top}, ${g.left}) of a zeroed [${g.n},${hp},${wp},${c4}]
(func $place (param $src i32) (param $dst i32) (local $row i32) (local $x i32)
  (memory.fill ${get('dst')} (i32.const 0) ${i32(g.n * hp * wp * c4 * 4)})
${indent(counted('row', g.n * g.h, `${copy}\n(local.set $src (i32.add ${get('src')} ${i32(g.w * g.c * 4)}))`), 1)})`;
}

/** U[ab][c][k] = (G g G^T)[ab] for every input channel c and vector of output channels. */
export function weightFunc(l: WinogradLayout, t: WinogradTransforms): string {
  const { g, k4 } = l;
  const full = Math.floor(g.k / 4);
  const tail = g.k % 4;
  const taps = grid(3, 3, (r, s) => `(local.get $g${r}_${s})`);
  const u = sandwich(t.g, taps, t.g, 'q');
  const body = (lanes: number) =>
    [
      ...taps.flat().map((_, i) => `(local.set $g${Math.floor(i / 3)}_${i % 3} ${loadLanes(lanes, get('w'), i * g.c * g.k * 4)})`),
      u.setup,
      ...u.out.flat().map((value, ab) => `(v128.store${offsetArg(ab * g.c * k4 * 4)} ${get('u')} ${value})`),
    ].join('\n');
  const perChannel = [
    counted('kv', full, `${body(4)}\n(local.set $w (i32.add ${get('w')} (i32.const 16)))\n(local.set $u (i32.add ${get('u')} (i32.const 16)))`),
    tail ? body(tail) : '',
    `(local.set $w (i32.add ${get('w0')} ${i32(g.k * 4)}))\n(local.set $w0 ${get('w')})\n(local.set $u (i32.add ${get('u0')} ${i32(k4 * 4)}))\n(local.set $u0 ${get('u')})`,
  ].filter(Boolean);
  return `;; U = G g G^T: W [3,3,${g.c},${g.k}] -> [16][${g.c}][${k4}]
(func $weights (param $w i32) (param $u i32) (local $w0 i32) (local $u0 i32) (local $c i32) (local $kv i32)
  ${[...taps.flat().map((_, i) => `(local $g${Math.floor(i / 3)}_${i % 3} v128)`), ...u.locals].join(' ')}
  (local.set $w0 ${get('w')})
  (local.set $u0 ${get('u')})
${indent(counted('c', g.c, perChannel.join('\n')), 1)})`;
}

/** V[ab][tile][c] = (B^T d B)[ab] of the 4x4 input tile at $src, four channels a turn. */
export function inputFunc(l: WinogradLayout, t: WinogradTransforms): string {
  const { wp, c4, group } = l;
  const d = grid(4, 4, (i, j) => `(local.get $d${i}_${j})`);
  const v = sandwich(t.bt, d, t.bt, 'w');
  const body = [
    ...d.flat().map((_, p) => `(local.set $d${Math.floor(p / 4)}_${p % 4} (v128.load${offsetArg((Math.floor(p / 4) * wp + (p % 4)) * c4 * 4)} ${get('src')}))`),
    v.setup,
    ...v.out.flat().map((value, ab) => `(v128.store${offsetArg(ab * group * c4 * 4)} ${get('dst')} ${value})`),
    `(local.set $src (i32.add ${get('src')} (i32.const 16)))\n(local.set $dst (i32.add ${get('dst')} (i32.const 16)))`,
  ].join('\n');
  return `;; V = B^T d B of one 4x4 input tile, [16][tile][${c4}]
(func $input (param $src i32) (param $dst i32) (local $cv i32)
  ${[...d.flat().map((_, p) => `(local $d${Math.floor(p / 4)}_${p % 4} v128)`), ...v.locals].join(' ')}
${indent(counted('cv', c4 / 4, body), 1)})`;
}

/**
 * Y's 2x2 pixels of one tile from M[ab][tile][k] = A^T m A, through the
 * epilogue, stored where they lie inside the output: $rows and $cols (1 or
 * 2) say how much of the tile does (a partial tile at an odd output's edge).
 */
export function outputFunc(l: WinogradLayout, t: WinogradTransforms, e: EpilogueSpec | null): string {
  const { g, k4, group } = l;
  const full = Math.floor(g.k / 4);
  const tail = g.k % 4;
  const m = grid(4, 4, (a, b) => `(local.get $m${a}_${b})`);
  const y = sandwich(t.at, m, t.at, 'z');
  const pixel = (i: number, j: number) => (i * g.ow + j) * g.k * 4;
  const store = (lanes: number, i: number, j: number) => {
    const at = `(i32.add ${get('y')} ${i32(pixel(i, j))})`;
    const value = e ? applyEpilogue(e, y.out[i]![j]!, lanes, get('bias'), `(i32.add ${at} ${get('rd')})`) : y.out[i]![j]!;
    return `(if (i32.and (i32.gt_u ${get('rows')} ${i32(i)}) (i32.gt_u ${get('cols')} ${i32(j)}))
  (then ${storeLanes(lanes, at, 0, value)}))`;
  };
  const body = (lanes: number) =>
    [
      ...m.flat().map((_, ab) => `(local.set $m${Math.floor(ab / 4)}_${ab % 4} (v128.load${offsetArg(ab * group * k4 * 4)} ${get('m')}))`),
      y.setup,
      ...[0, 1].flatMap((i) => [0, 1].map((j) => store(lanes, i, j))),
    ].join('\n');
  const step = ['m', 'y', ...(e?.bias ? ['bias'] : [])].map((p) => `(local.set $${p} (i32.add ${get(p)} (i32.const 16)))`).join('\n');
  const setup = e ? [e.bias ? '(local.set $bias (global.get $g_bias))' : '', e.residual ? '(local.set $rd (i32.sub (global.get $g_r) (global.get $g_c)))' : ''].filter(Boolean).join('\n') : '';
  return `;; Y = A^T M A of one tile${e ? ', then the epilogue' : ''}
(func $output (param $m i32) (param $y i32) (param $rows i32) (param $cols i32) (local $kv i32) (local $bias i32) (local $rd i32)
  ${[...m.flat().map((_, ab) => `(local $m${Math.floor(ab / 4)}_${ab % 4} v128)`), ...y.locals].join(' ')}
${indent([setup, counted('kv', full, `${body(4)}\n${step}`), tail ? body(tail) : ''].filter(Boolean).join('\n'), 1)})`;
}
