import { planOf, type Plan } from '../conv/plan.ts';
import { counted } from '../conv/loops.ts';
import { get, i32, indent } from '../wat.ts';
import type { ConvProblem } from '../../ops/conv/problem.ts';

/** Output channels a v128 of i16 holds: a vector of the tile is 8 channels, two i32x4 accumulators. */
export const LANES = 8;
const roundUp = (value: number, unit: number) => Math.ceil(value / unit) * unit;

/**
 * Where the i16 kernel's reduction reads, all of it in the workspace and
 * zero-padded, so every load is a whole v128 (or lane pair) of real data or
 * zeros and no loop needs a tail:
 * - the image: X zero-padded (dY zero-dilated for bwd-data), as
 *   [rows][wp][chp] pixels (chp: C padded to a pair for dot16, to 8 for
 *   depthwise), or for dense bwd-weights as [rows][C][stride][wq] columns,
 *   so that the input pixels of two neighbouring output pixels (x*st + s and
 *   (x+1)*st + s: one phase s % st of a row apart by one) are one 32-bit lane;
 * - the operand: the weights (bwd-data: turned by 180 degrees, dense ones
 *   transposed) or dY (bwd-weights), as [T][RCp][OCp] over taps (or output
 *   rows), the reduction's channels (or pixels) and the output channels
 *   padded to 8; dot16 interleaves reduction pairs: [T][RCp/2][OCp][2].
 */
export interface Layout {
  readonly plan: Plan;
  /** Reduction values a step takes: 2 (dot16 pairs) or 1. */
  readonly group: number;
  readonly columns: boolean;
  /** Channels a pixel of the image holds (pixels layout). */
  readonly chp: number;
  /** Positions a phase row holds (columns layout). */
  readonly wq: number;
  /** Bytes from one image row (n*hp + iy) to the next. */
  readonly imageRow: number;
  readonly imageBytes: number;
  readonly operand: Operand;
}

/** The operand's pack: element (t, rc, oc) of the source at tap(t)*ct + rc*cr + oc*co. */
export interface Operand {
  readonly taps: number;
  readonly reversed: boolean;
  readonly rc: number;
  readonly rcp: number;
  readonly oc: number;
  readonly ocp: number;
  readonly ct: number;
  readonly cr: number;
  readonly co: number;
}

export function layoutOf(problem: ConvProblem, dot16: boolean): Layout {
  const plan = planOf(problem);
  const { g } = plan;
  const group = dot16 ? 2 : 1;
  const depthwise = plan.kind === 'depthwise' || plan.kind === 'depthwise-weights';
  const chp = depthwise ? roundUp(plan.ch, LANES) : plan.kind === 'dense' ? roundUp(plan.ch, group) : plan.ch;
  const ocp = roundUp(plan.out, LANES);
  const columns = plan.kind === 'dense-weights';
  const rows = plan.n * plan.hp;
  // Columns: position x + floor(s/st) for output pixel x, x up to the pixel pairs' padded end.
  const owp = roundUp(plan.ow, group);
  const wq = columns ? Math.max(Math.ceil(plan.wp / plan.stride), owp + Math.floor((g.s - 1) / plan.stride)) : 0;
  const imageRow = (columns ? plan.ch * plan.stride * wq : plan.wp * chp) * 2;
  const taps = g.r * g.s;
  const reversed = plan.turned;
  const operand: Operand = (() => {
    switch (plan.kind) {
      case 'dense':
        // conv2d: W[t, rc=c, oc=k]; bwd-data: W[T-1-t, oc=c, rc=k].
        return reversed
          ? { taps, reversed, rc: g.k, rcp: chp, oc: g.c, ocp, ct: g.c * g.k, cr: 1, co: g.k }
          : { taps, reversed, rc: g.c, rcp: chp, oc: g.k, ocp, ct: g.c * g.k, cr: g.k, co: 1 };
      case 'depthwise':
        return { taps, reversed, rc: 1, rcp: 1, oc: g.c, ocp, ct: g.c, cr: 0, co: 1 };
      case 'dense-weights':
      case 'depthwise-weights':
        // dY[row = n*oh + y, rc = x, oc = channel].
        return { taps: g.n * g.oh, reversed: false, rc: g.ow, rcp: owp, oc: plan.out, ocp, ct: g.ow * plan.out, cr: plan.out, co: 1 };
    }
  })();
  return { plan, group, columns, chp, wq, imageRow, imageBytes: rows * imageRow, operand };
}

export const operandBytes = (o: Operand) => o.taps * o.rcp * o.ocp * 2;
export const workspaceBytes = (l: Layout) => l.imageBytes + operandBytes(l.operand);
export const operandBase = (l: Layout) => `(i32.add ${get('ws')} ${i32(l.imageBytes)})`;

/** The entry's first calls: zero the workspace, place the image, pack the operand. */
export function prepareCalls(l: Layout): string {
  return `(memory.fill ${get('ws')} (i32.const 0) ${i32(workspaceBytes(l))})
(call $place (local.get $a) (local.get $ws))
(call $pack (local.get $b) ${operandBase(l)})`;
}

export function prepareFuncs(l: Layout): string[] {
  return [placeFunc(l), packFunc(l)];
}

/** Source [n, h, w, ch] (X, or dY for bwd-data) into the zeroed image at (y*step + top, x*step + left). */
function placeFunc(l: Layout): string {
  const { plan } = l;
  const at = plan.image ?? { h: plan.g.h, w: plan.g.w, step: 1, top: 0, left: 0 };
  const ch = plan.ch;
  // Image row of source row (n, y): n*hp + y*step + top; image column of x: x*step + left.
  const imageRow = `(i32.add (i32.mul (i32.div_u ${get('row')} ${i32(at.h)}) ${i32(plan.hp)}) (i32.add (i32.mul (i32.rem_u ${get('row')} ${i32(at.h)}) ${i32(at.step)}) ${i32(at.top)}))`;
  const src = `(i32.add ${get('src')} (i32.shl (i32.mul (i32.add (i32.mul ${get('row')} ${i32(at.w)}) ${get('x')}) ${i32(ch)}) (i32.const 1)))`;
  const body = l.columns
    ? // element (iy, c, ix) at ((iy*C + c)*st + ix%st)*wq + ix/st
      counted(
        'c',
        ch,
        `(i32.store16 (i32.add ${get('dst')} (i32.shl (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul ${get('iy')} ${i32(ch)}) ${get('c')}) ${i32(plan.stride)}) (i32.rem_u ${get('ix')} ${i32(plan.stride)})) ${i32(l.wq)}) (i32.div_u ${get('ix')} ${i32(plan.stride)})) (i32.const 1)))
  (i32.load16_s (i32.add ${src} (i32.shl ${get('c')} (i32.const 1)))))`,
      )
    : `(memory.copy (i32.add ${get('dst')} (i32.mul (i32.add (i32.mul ${get('iy')} ${i32(plan.wp)}) ${get('ix')}) ${i32(l.chp * 2)})) ${src} ${i32(ch * 2)})`;
  const pixels = counted('x', at.w, `(local.set $ix (i32.add (i32.mul ${get('x')} ${i32(at.step)}) ${i32(at.left)}))\n${body}`);
  return `;; the image: [${plan.n},${at.h},${at.w},${ch}] i16 placed at (y*${at.step}+${at.top}, x*${at.step}+${at.left}) of the zeroed ${l.columns ? `[rows,${ch},${plan.stride},${l.wq}] columns` : `[rows,${plan.wp},${l.chp}] pixels`}
(func $place (param $src i32) (param $dst i32) (local $row i32) (local $x i32) (local $c i32) (local $iy i32) (local $ix i32)
${indent(counted('row', plan.n * at.h, `(local.set $iy ${imageRow})\n${pixels}`), 1)})`;
}

/** The operand into [T][RCp][OCp] (reduction pairs interleaved for dot16), zeros already in the padding. */
function packFunc(l: Layout): string {
  const o = l.operand;
  const G = l.group;
  const tap = o.reversed ? `(i32.sub ${i32(o.taps - 1)} ${get('t')})` : get('t');
  const src = `(i32.add (i32.add (i32.mul ${tap} ${i32(o.ct)}) (i32.mul ${get('rc')} ${i32(o.cr)})) (i32.mul ${get('oc')} ${i32(o.co)}))`;
  // (t*RCp + rc - rc%G)*OCp + oc*G + rc%G
  const part = G === 1 ? i32(0) : `(i32.and ${get('rc')} (i32.const 1))`;
  const dst = `(i32.add (i32.add (i32.mul (i32.sub (i32.add (i32.mul ${get('t')} ${i32(o.rcp)}) ${get('rc')}) ${part}) ${i32(o.ocp)}) (i32.mul ${get('oc')} ${i32(G)})) ${part})`;
  const copy = `(i32.store16 (i32.add ${get('dst')} (i32.shl ${dst} (i32.const 1))) (i32.load16_s (i32.add ${get('src')} (i32.shl ${src} (i32.const 1)))))`;
  return `;; the ${l.plan.kind.endsWith('weights') ? 'gradient dY' : 'weights'} packed: [${o.taps}][${o.rcp}][${o.ocp}] i16${G === 2 ? ', reduction pairs interleaved' : ''}${o.reversed ? ', taps turned by 180 degrees' : ''}
(func $pack (param $src i32) (param $dst i32) (local $t i32) (local $rc i32) (local $oc i32)
${indent(counted('t', o.taps, counted('rc', o.rc, counted('oc', o.oc, copy))), 1)})`;
}
