import type { EpilogueSpec } from '../../ops/epilogue.ts';
import { applyEpilogue, hasEpilogue, tileEpilogueAddresses } from '../epilogue.ts';
import { get, i32, indent, loadLanes, multiplyAdd, offsetArg, storeLanes } from '../wat.ts';
import { counted, plus } from './loops.ts';
import type { Plan } from './plan.ts';

/** One register tile: `rows` rows by one v128 per entry of `lanes` (4, or fewer in the channel's last vector). */
export interface TileShape {
  readonly rows: number;
  readonly lanes: readonly number[];
}

export interface TileGenes {
  readonly unroll: number;
  readonly fma: boolean;
}

export const tileName = (t: TileShape) => `$tile_${t.rows}x${t.lanes.join('')}`;

const acc = (i: number, j: number) => `acc${i}_${j}`;
const each = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * The micro-kernel: its own function, called once per tile (V8 tiers it up
 * between calls), the accumulators in locals (zero on entry), the reduction
 * walked by two bumped pointers $p (the image) and $q (the other operand),
 * every step's loads at constant offsets from them.
 */
export function tileFunc(plan: Plan, t: TileShape, genes: TileGenes, epilogue: EpilogueSpec | null): string {
  const vectors = t.lanes.length;
  const fused = epilogue !== null && hasEpilogue(epilogue);
  const locals = [
    '(local $r i32) (local $row i32) (local $p i32) (local $q i32) (local $end i32)',
    fused ? '(local $bj i32) (local $rd i32)' : '',
    each(t.rows).map((i) => each(vectors).map((j) => `(local $${acc(i, j)} v128)`).join(' ')).join('\n'),
    `(local $x v128) ${each(vectors).map((j) => `(local $v${j} v128)`).join(' ')}`,
  ].filter(Boolean);
  const madd = (i: number, j: number, x: string, y: string) => `(local.set $${acc(i, j)} ${multiplyAdd(genes.fma, x, y, get(acc(i, j)))})`;
  const body = reduction(plan, t, genes, madd);
  // Row i of the tile is stored `rowStride` bytes after row i-1: an output pixel (dense, depthwise) or a channel or tap of dW.
  const rowStride = (plan.kind === 'dense-weights' ? plan.out : plan.kind === 'depthwise-weights' ? plan.ch : plan.out) * 4;
  const addresses = fused ? tileEpilogueAddresses(plan.out) : null;
  const stores = each(t.rows).flatMap((i) =>
    each(vectors).map((j) => {
      const value = fused ? applyEpilogue(epilogue, get(acc(i, j)), t.lanes[j]!, addresses!.bias(j * 16), addresses!.residual(i * rowStride + j * 16)) : get(acc(i, j));
      return storeLanes(t.lanes[j]!, get('c'), i * rowStride + j * 16, value);
    }),
  );
  return `(func ${tileName(t)} (param $in i32) (param $w i32) (param $c i32)
${indent([...locals, body, ...(addresses ? [addresses.setup] : []), ...stores].join('\n'), 1)})`;
}

type Madd = (i: number, j: number, x: string, y: string) => string;

/** The tile's whole reduction, per kind. */
function reduction(plan: Plan, t: TileShape, genes: TileGenes, madd: Madd): string {
  const vectors = t.lanes.length;
  const load = (j: number, base: string, offset: number) => loadLanes(t.lanes[j]!, base, offset);
  const setV = (j: number, value: string) => `(local.set $v${j} ${value})`;
  const pixel = plan.ch * 4;
  switch (plan.kind) {
    case 'dense': {
      // Per window row r: S*ch steps, contiguous in the image (s and c) and in W (stride out).
      const step = (u: number) => [
        ...each(vectors).map((j) => setV(j, load(j, get('q'), u * plan.out * 4 + j * 16))),
        ...each(t.rows).flatMap((i) => [`(local.set $x (v128.load32_splat${offsetArg(u * 4 + i * plan.stride * pixel)} ${get('p')}))`, ...each(vectors).map((j) => madd(i, j, get('x'), get(`v${j}`)))]),
      ];
      return windowRows(plan, plan.g.s * plan.ch * plan.out * 4, steps(plan.g.s * plan.ch, genes.unroll, 4, plan.out * 4, step));
    }
    case 'depthwise': {
      // Per window row r: S taps, straight-line; the tile's channels are the vectors.
      const taps = each(plan.g.s).flatMap((s) => [
        ...each(vectors).map((j) => setV(j, load(j, get('q'), s * pixel + j * 16))),
        ...each(t.rows).flatMap((i) => each(vectors).map((j) => madd(i, j, load(j, get('p'), (s + i * plan.stride) * pixel + j * 16), get(`v${j}`)))),
      ]);
      return windowRows(plan, plan.g.s * pixel, taps.join('\n'));
    }
    case 'dense-weights': {
      // Rows are input channels: one broadcast each from consecutive floats of the image pixel.
      const step = (u: number) => [
        ...each(vectors).map((j) => setV(j, load(j, get('q'), u * plan.out * 4 + j * 16))),
        ...each(t.rows).flatMap((i) => [`(local.set $x (v128.load32_splat${offsetArg(u * plan.stride * pixel + i * 4)} ${get('p')}))`, ...each(vectors).map((j) => madd(i, j, get('x'), get(`v${j}`)))]),
      ];
      return pixelRows(plan, steps(plan.ow, genes.unroll, plan.stride * pixel, plan.out * 4, step));
    }
    case 'depthwise-weights': {
      // Rows are taps along the window's width: pixel x*st + s0 + i of the image.
      const step = (u: number) => [
        ...each(vectors).map((j) => setV(j, load(j, get('q'), u * pixel + j * 16))),
        ...each(t.rows).flatMap((i) => each(vectors).map((j) => madd(i, j, load(j, get('p'), (u * plan.stride + i) * pixel + j * 16), get(`v${j}`)))),
      ];
      return pixelRows(plan, steps(plan.ow, genes.unroll, plan.stride * pixel, plan.ch * 4, step));
    }
  }
}

/** For each window row r: $p at the image row, $q at the weights' row r (`weightRow` bytes each), then `body`. */
function windowRows(plan: Plan, weightRow: number, body: string): string {
  return counted(
    'r',
    plan.g.r,
    `(local.set $p ${plus(get('in'), get('r'), plan.wp * plan.ch * 4)})
(local.set $q ${plus(get('w'), get('r'), weightRow)})
${body}`,
  );
}

/** For each output row (n, y): $p at image row n*hp + y*stride, $q at dY's row, then `body` over its pixels. */
function pixelRows(plan: Plan, body: string): string {
  const imageRow = `(i32.add (i32.mul (i32.div_u ${get('row')} ${i32(plan.oh)}) ${i32(plan.hp)}) (i32.mul (i32.rem_u ${get('row')} ${i32(plan.oh)}) ${i32(plan.stride)}))`;
  return counted(
    'row',
    plan.n * plan.oh,
    `(local.set $p ${plus(get('in'), imageRow, plan.wp * plan.ch * 4)})
(local.set $q ${plus(get('w'), get('row'), plan.ow * plan.out * 4)})
${body}`,
  );
}

/**
 * `count` reduction steps, `unroll` a loop turn ($p and $q bumped by
 * pStep and qStep bytes a step), then the remainder straight-line.
 */
function steps(count: number, unroll: number, pStep: number, qStep: number, step: (u: number) => string[]): string {
  const turns = Math.floor(count / unroll);
  const rest = count % unroll;
  const loop =
    turns === 0
      ? ''
      : `(local.set $end ${plus(get('p'), i32(turns * unroll * pStep))})
(loop $steps
${indent(each(unroll).flatMap(step).join('\n'), 1)}
  (local.set $p ${plus(get('p'), i32(unroll * pStep))})
  (local.set $q ${plus(get('q'), i32(unroll * qStep))})
  (br_if $steps (i32.lt_u ${get('p')} ${get('end')})))`;
  return [loop, ...each(rest).flatMap(step)].filter(Boolean).join('\n');
}
