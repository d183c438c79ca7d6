import { KevoError } from '../../../lib/errors.ts';
import type { ConvProblem } from '../../ops/conv/problem.ts';
import { counted, plus } from '../conv/loops.ts';
import { get, i32, indent, offsetArg, storeLanes } from '../wat.ts';
import type { ConvI16WasmGenome } from './genome.ts';
import { LANES, layoutOf, operandBase, prepareCalls, prepareFuncs, type Layout } from './layout.ts';

/**
 * One loop nest of the i16 kernel: the entry's groups (output rows, taps or
 * window rows), tiles of `rows` along an axis inside each, blocks of output
 * channels; the micro-kernel's outer loop (window rows or output rows) and
 * its reduction steps. Row i of a tile reads the image `inStep` bytes after
 * row 0 and is stored `outStep` bytes after it.
 */
interface Nest {
  readonly groups: number;
  /** Sets $gIn and $gOut from the group $row. */
  readonly setup: string;
  readonly axis: number;
  readonly inStep: number;
  readonly outStep: number;
  /** Bytes a block's channel moves the image (depthwise: its channels are the vectors) and the operand. */
  readonly blockIn: number;
  readonly blockOperand: number;
  /** The micro-kernel's outer loop over $r: how many, and $p, $q at each. */
  readonly outer: { count: number; p: string; q: string };
  readonly steps: number;
  readonly pStep: number;
  readonly qStep: number;
  /** Whether A is a vector of channels (depthwise) rather than one value (or pair) broadcast. */
  readonly vectorA: boolean;
}

function nestOf(l: Layout): Nest {
  const { plan } = l;
  const { g } = plan;
  const o = l.operand;
  const G = l.group;
  const pixel = l.chp * 2;
  const operandRow = o.rcp * o.ocp * 2;
  const ws = get('ws');
  const imageRowOf = (v: string) => `(i32.add (i32.mul (i32.div_u ${get(v)} ${i32(plan.oh)}) ${i32(plan.hp)}) (i32.mul (i32.rem_u ${get(v)} ${i32(plan.oh)}) ${i32(plan.stride)}))`;
  // Weights kinds reduce over output rows (n, y): the image row n*hp + y*st, dY's packed row.
  const pixelRows = { count: plan.n * plan.oh, p: plus(get('in'), imageRowOf('r'), l.imageRow), q: plus(get('w'), get('r'), operandRow) };
  const windowRows = { count: g.r, p: plus(get('in'), get('r'), l.imageRow), q: plus(get('w'), get('r'), g.s * operandRow) };
  switch (plan.kind) {
    case 'dense':
    case 'depthwise': {
      const dense = plan.kind === 'dense';
      return {
        groups: plan.n * plan.oh,
        setup: `(local.set $gIn ${plus(ws, imageRowOf('row'), l.imageRow)})\n(local.set $gOut ${plus(get('c'), get('row'), plan.ow * plan.out * 4)})`,
        axis: plan.ow,
        inStep: plan.stride * pixel,
        outStep: plan.out * 4,
        blockIn: dense ? 0 : 2,
        blockOperand: 2 * G,
        outer: windowRows,
        steps: dense ? (g.s * l.chp) / G : g.s,
        pStep: dense ? 2 * G : pixel,
        qStep: G * o.ocp * 2,
        vectorA: !dense,
      };
    }
    case 'dense-weights': {
      // Tap (r, s) starts at row r, phase s % st, position floor(s / st).
      const tap = `(i32.add (i32.mul (i32.add (i32.mul (i32.div_u ${get('row')} ${i32(g.s)}) ${i32(plan.ch * plan.stride)}) (i32.rem_u (i32.rem_u ${get('row')} ${i32(g.s)}) ${i32(plan.stride)})) ${i32(l.wq)}) (i32.div_u (i32.rem_u ${get('row')} ${i32(g.s)}) ${i32(plan.stride)}))`;
      return {
        groups: g.r * g.s,
        setup: `(local.set $gIn ${plus(ws, tap, 2)})\n(local.set $gOut ${plus(get('c'), get('row'), g.c * g.k * 4)})`,
        axis: g.c,
        inStep: plan.stride * l.wq * 2,
        outStep: g.k * 4,
        blockIn: 0,
        blockOperand: 2 * G,
        outer: pixelRows,
        steps: o.rcp / G,
        pStep: 2 * G,
        qStep: G * o.ocp * 2,
        vectorA: false,
      };
    }
    case 'depthwise-weights':
      return {
        groups: g.r,
        setup: `(local.set $gIn ${plus(ws, get('row'), l.imageRow)})\n(local.set $gOut ${plus(get('c'), get('row'), g.s * g.c * 4)})`,
        axis: g.s,
        inStep: pixel,
        outStep: g.c * 4,
        blockIn: 2,
        blockOperand: 2,
        outer: pixelRows,
        steps: o.rcp,
        pStep: plan.stride * pixel,
        qStep: o.ocp * 2,
        vectorA: true,
      };
  }
}

/** Why this genome's instruction cannot compute this op, or null: dot16 pairs a reduction over channels or pixels, which depthwise ops lack. */
export function instructionProblem(g: ConvI16WasmGenome, p: ConvProblem): string | null {
  return g.instruction === 'dot16' && p.op.startsWith('dw') ? 'dot16 pairs the reduction over channels, which a depthwise convolution has none of: use extmul' : null;
}

const each = (n: number) => Array.from({ length: n }, (_, i) => i);
const acc = (i: number, j: number, h: number) => `acc${i}_${j}_${h}`;

/** One register tile: `rows` rows by `vectors` blocks of 8 channels, the last holding `lastLanes` (1-8) real ones. */
interface TileShape {
  readonly rows: number;
  readonly vectors: number;
  readonly lastLanes: number;
}
const tileName = (t: TileShape) => `$tile_${t.rows}x${t.vectors}_${t.lastLanes}`;

/**
 * The micro-kernel, its own function called once per tile (V8 tiers it up
 * between calls): i32x4 accumulators zero on entry, two a vector (channels
 * 0-3 and 4-7 of its 8), the reduction walked by the bumped pointers $p
 * (image) and $q (packed operand), every step's loads at constant offsets.
 */
function tileFunc(l: Layout, nest: Nest, t: TileShape, g: ConvI16WasmGenome): string {
  const dot16 = l.group === 2;
  const bPerVector = dot16 ? 2 : 1;
  const locals = [
    '(local $r i32) (local $p i32) (local $q i32) (local $end i32) (local $x v128)',
    each(t.rows).map((i) => each(t.vectors).map((j) => `(local $${acc(i, j, 0)} v128) (local $${acc(i, j, 1)} v128)`).join(' ')).join('\n'),
    each(t.vectors * bPerVector).map((v) => `(local $b${v} v128)`).join(' '),
  ];
  const add = (i: number, j: number, h: number, product: string) => `(local.set $${acc(i, j, h)} (i32x4.add ${get(acc(i, j, h))} ${product}))`;
  const step = (u: number): string[] => {
    const bLoads = each(t.vectors * bPerVector).map((v) => `(local.set $b${v} (v128.load${offsetArg(u * nest.qStep + v * 16)} ${get('q')}))`);
    const rows = each(t.rows).flatMap((i) => {
      const at = u * nest.pStep + i * nest.inStep;
      if (nest.vectorA) {
        return each(t.vectors).flatMap((j) => [
          `(local.set $x (v128.load${offsetArg(at + j * 16)} ${get('p')}))`,
          add(i, j, 0, `(i32x4.extmul_low_i16x8_s ${get('x')} ${get(`b${j}`)})`),
          add(i, j, 1, `(i32x4.extmul_high_i16x8_s ${get('x')} ${get(`b${j}`)})`),
        ]);
      }
      const broadcast = dot16 ? `(v128.load32_splat${offsetArg(at)} ${get('p')})` : `(v128.load16_splat${offsetArg(at)} ${get('p')})`;
      return [
        `(local.set $x ${broadcast})`,
        ...each(t.vectors).flatMap((j) =>
          dot16
            ? [add(i, j, 0, `(i32x4.dot_i16x8_s ${get('x')} ${get(`b${2 * j}`)})`), add(i, j, 1, `(i32x4.dot_i16x8_s ${get('x')} ${get(`b${2 * j + 1}`)})`)]
            : [add(i, j, 0, `(i32x4.extmul_low_i16x8_s ${get('x')} ${get(`b${j}`)})`), add(i, j, 1, `(i32x4.extmul_high_i16x8_s ${get('x')} ${get(`b${j}`)})`)],
        ),
      ];
    });
    return [...bLoads, ...rows];
  };
  const turns = Math.floor(nest.steps / g.unroll);
  const rest = nest.steps % g.unroll;
  const loop = turns
    ? `(local.set $end ${plus(get('p'), i32(turns * g.unroll * nest.pStep))})
(loop $steps
${indent(each(g.unroll).flatMap(step).join('\n'), 1)}
  (local.set $p ${plus(get('p'), i32(g.unroll * nest.pStep))})
  (local.set $q ${plus(get('q'), i32(g.unroll * nest.qStep))})
  (br_if $steps (i32.lt_u ${get('p')} ${get('end')})))`
    : '';
  const reduction = counted('r', nest.outer.count, [`(local.set $p ${nest.outer.p})`, `(local.set $q ${nest.outer.q})`, loop, ...each(rest).flatMap(step)].filter(Boolean).join('\n'));
  const stores = each(t.rows).flatMap((i) =>
    each(t.vectors).flatMap((j) => {
      const lanes = j === t.vectors - 1 ? t.lastLanes : LANES;
      return [0, 1]
        .map((h) => Math.min(4, lanes - 4 * h))
        .flatMap((n, h) => (n > 0 ? [storeLanes(n, get('c'), i * nest.outStep + j * 32 + h * 16, get(acc(i, j, h)))] : []));
    }),
  );
  return `(func ${tileName(t)} (param $in i32) (param $w i32) (param $c i32)
${indent([...locals, reduction, ...stores].join('\n'), 1)})`;
}

/**
 * Genome -> WAT for an i16 convolution (problem.dtype i16) under the kernel
 * ABI, the workspace sized by layout.ts's workspaceBytes: the image and
 * packed operand first, then register tiles over the output; the last tile
 * along the axis has fewer rows and the last channel block fewer vectors and
 * lanes (each a micro-kernel of its own), while loads read whole padded
 * vectors. Pure.
 */
export function convI16Wat(genome: ConvI16WasmGenome, problem: ConvProblem): string {
  const why = instructionProblem(genome, problem);
  if (why) throw new KevoError('BAD_INPUT', `wasm i16 conv genome: ${why}`);
  const l = layoutOf(problem, genome.instruction === 'dot16');
  const { plan } = l;
  const nest = nestOf(l);
  const rows = Math.min(genome.tile, nest.axis);
  const vectors = Math.min(genome.vectors, Math.ceil(plan.out / LANES));
  const blockChannels = LANES * vectors;
  const fullTiles = Math.floor(nest.axis / rows);
  const tailRows = nest.axis % rows;
  const fullBlocks = Math.floor(plan.out / blockChannels);
  const tailChannels = plan.out % blockChannels;
  const shapes: TileShape[] = [];
  const call = (tileRows: number, shape: Omit<TileShape, 'rows'>, tile: string, block: string) => {
    const full = { rows: tileRows, ...shape };
    if (!shapes.some((s) => tileName(s) === tileName(full))) shapes.push(full);
    const channel = (bytes: number) => `(i32.mul ${block} ${i32(blockChannels * bytes)})`;
    const inAt = plus(get('gIn'), tile, rows * nest.inStep);
    return `(call ${tileName(full)}
  ${nest.blockIn ? `(i32.add ${inAt} ${channel(nest.blockIn)})` : inAt}
  (i32.add ${operandBase(l)} ${channel(nest.blockOperand)})
  (i32.add ${plus(get('gOut'), tile, rows * nest.outStep)} ${channel(4)}))`;
  };
  const tiles = (shape: Omit<TileShape, 'rows'>, block: string) =>
    [counted('t', fullTiles, call(rows, shape, get('t'), block)), tailRows ? call(tailRows, shape, i32(fullTiles), block) : ''].filter(Boolean).join('\n');
  const tail = tailChannels ? { vectors: Math.ceil(tailChannels / LANES), lastLanes: tailChannels % LANES || LANES } : null;
  const blocks = [counted('kb', fullBlocks, tiles({ vectors, lastLanes: LANES }, get('kb'))), tail ? tiles(tail, i32(fullBlocks)) : ''].filter(Boolean).join('\n');
  const loops = counted('row', nest.groups, `${nest.setup}\n${blocks}`);
  const micro = shapes.map((s) => tileFunc(l, nest, s, genome));
  const { g } = plan;
  return `;; kevo ${problem.op} n${g.n} h${g.h} w${g.w} c${g.c}${g.depthwise ? '' : ` k${g.k}`} r${g.r} s${g.s} stride ${g.stride} pad ${problem.pad} i16 -> i32 (wrapping)
;; ${plan.kind} direct: ${rows}-row x ${vectors}-vector (8 channels) register tiles, ${genome.instruction}, unroll ${genome.unroll}
(module
  (import "env" "memory" (memory 1))
${indent(prepareFuncs(l).join('\n\n'), 1)}

${indent(micro.join('\n\n'), 1)}

  (func (export "${problem.op}") (param $a i32) (param $b i32) (param $c i32) (param $ws i32)
    (local $row i32) (local $t i32) (local $kb i32) (local $gIn i32) (local $gOut i32)
${indent([prepareCalls(l), loops].join('\n'), 2)}))
`;
}
