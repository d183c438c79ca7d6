import { get, i32 } from '../wat.ts';
import { counted, plus } from './loops.ts';
import type { Plan } from './plan.ts';

/**
 * The workspace the reduction reads: the image (X zero-padded, or dY
 * zero-dilated) and, for the backward-data passes, the weights turned by 180
 * degrees (dense ones also transposed to [R,S,K,C]). Both cost a pass over
 * an input, small next to the convolution's R*S*C (or R*S*K) terms a pixel.
 */
export function prepareFuncs(plan: Plan): string[] {
  return [plan.image ? placeFunc(plan) : '', plan.turned ? turnFunc(plan) : ''].filter(Boolean);
}

/** The entry's calls, first thing: image into $ws, turned weights after it. */
export function prepareCalls(plan: Plan): string {
  return [plan.image ? `(call $place (local.get $a) (local.get $ws))` : '', plan.turned ? `(call $turn (local.get $b) ${weightsBase(plan)})` : ''].filter(Boolean).join('\n');
}

export const imageBytes = (plan: Plan) => (plan.image ? plan.n * plan.hp * plan.wp * plan.ch * 4 : 0);
export const imageBase = (plan: Plan) => (plan.image ? get('ws') : get('a'));
export const weightsBase = (plan: Plan) => (plan.turned ? plus(get('ws'), i32(imageBytes(plan))) : get('b'));

function placeFunc(plan: Plan): string {
  const at = plan.image!;
  const { n, hp, wp, ch } = plan;
  const pixel = ch * 4;
  const srcRow = (row: string) => `(i32.add ${get('src')} (i32.mul ${row} ${i32(at.w * pixel)}))`;
  // image row of source row (n, y): n*hp + y*step + top
  const dstRow = `(i32.add (i32.mul (i32.div_u ${get('row')} ${i32(at.h)}) ${i32(hp)}) (i32.add (i32.mul (i32.rem_u ${get('row')} ${i32(at.h)}) ${i32(at.step)}) ${i32(at.top)}))`;
  const dstPixel = (x: string) => `(i32.add ${get('dst')} (i32.mul (i32.add (i32.mul ${get('y')} ${i32(wp)}) ${plus(i32(at.left), x, at.step)}) ${i32(pixel)}))`;
  const copy =
    at.step === 1
      ? `(memory.copy ${dstPixel(i32(0))} ${srcRow(get('row'))} ${i32(at.w * pixel)})`
      : counted('x', at.w, `(memory.copy ${dstPixel(get('x'))} (i32.add ${srcRow(get('row'))} (i32.mul ${get('x')} ${i32(pixel)})) ${i32(pixel)})`);
  return `;; the image: [${n},${at.h},${at.w},${ch}] placed at (y*${at.step}+${at.top}, x*${at.step}+${at.left}) of a zeroed [${n},${hp},${wp},${ch}]
(func $place (param $src i32) (param $dst i32) (local $row i32) (local $y i32) (local $x i32)
  (memory.fill ${get('dst')} (i32.const 0) ${i32(n * hp * wp * pixel)})
${counted('row', n * at.h, `(local.set $y ${dstRow})\n${copy}`)
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')})`;
}

function turnFunc(plan: Plan): string {
  const { g } = plan;
  const taps = g.r * g.s;
  const srcTap = `(i32.sub ${i32(taps - 1)} ${get('t')})`;
  if (g.depthwise) {
    return `;; the weights turned: W'[t] = W[R*S-1-t], t = r*S+s
(func $turn (param $src i32) (param $dst i32) (local $t i32)
${counted('t', taps, `(memory.copy (i32.add ${get('dst')} (i32.mul ${get('t')} ${i32(g.c * 4)})) (i32.add ${get('src')} (i32.mul ${srcTap} ${i32(g.c * 4)})) ${i32(g.c * 4)})`)
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')})`;
  }
  // W'[t,k,c] = W[R*S-1-t, c, k]: dst walks in order, src strides K a channel.
  const src = `(i32.add ${get('src')} (i32.shl (i32.add (i32.mul (i32.add (i32.mul ${srcTap} ${i32(g.c)}) ${get('c')}) ${i32(g.k)}) ${get('k')}) (i32.const 2)))`;
  const body = counted('t', taps, counted('k', g.k, counted('c', g.c, `(f32.store ${get('dst')} (f32.load ${src}))\n(local.set $dst (i32.add ${get('dst')} (i32.const 4)))`)));
  return `;; the weights turned and transposed: W'[r,s,k,c] = W[R-1-r, S-1-s, c, k]
(func $turn (param $src i32) (param $dst i32) (local $t i32) (local $k i32) (local $c i32)
${body
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')})`;
}
