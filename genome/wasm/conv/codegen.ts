import type { ConvProblem } from '../../ops/conv/problem.ts';
import { epilogueParts, hasEpilogue } from '../../ops/epilogue.ts';
import { activationFuncs, epilogueGlobals, epilogueParams, saveEpiloguePointers } from '../epilogue.ts';
import { exportedAs, type EntryWrap } from '../codegen.ts';
import { get, i32, indent, vectorLanes } from '../wat.ts';
import type { ConvDirectGenome } from './genome.ts';
import { counted, plus } from './loops.ts';
import { planOf, type Plan } from './plan.ts';
import { imageBase, prepareCalls, prepareFuncs, weightsBase } from './prepare.ts';
import { tileFunc, tileName, type TileShape } from './tiles.ts';

/**
 * How the entry walks the tiles: an outer group (an output row, a window tap,
 * or a window row), tiles along one axis inside it (output pixels, input
 * channels, or taps along the window's width), and blocks of the vectorized
 * channel. Each call hands the micro-kernel its image, other operand and
 * output addresses.
 */
interface Walk {
  readonly groups: number;
  /** Sets $gIn and $gOut from the group index $row. */
  readonly setup: string;
  readonly axis: number;
  /** Bytes one tile row moves in the image and in the output. */
  readonly inStep: number;
  readonly outStep: number;
  /** Whether the channel block also moves the image address (depthwise: the image's channels are the vectors). */
  readonly blockMovesImage: boolean;
  readonly operand: string;
}

function walkOf(plan: Plan): Walk {
  const pixel = plan.ch * 4;
  const image = imageBase(plan);
  const { g } = plan;
  switch (plan.kind) {
    case 'dense':
    case 'depthwise': {
      const imageRow = `(i32.add (i32.mul (i32.div_u ${get('row')} ${i32(plan.oh)}) ${i32(plan.hp)}) (i32.mul (i32.rem_u ${get('row')} ${i32(plan.oh)}) ${i32(plan.stride)}))`;
      return {
        groups: plan.n * plan.oh,
        setup: `(local.set $gIn ${plus(image, imageRow, plan.wp * pixel)})\n(local.set $gOut ${plus(get('c'), get('row'), plan.ow * plan.out * 4)})`,
        axis: plan.ow,
        inStep: plan.stride * pixel,
        outStep: plan.out * 4,
        blockMovesImage: plan.kind === 'depthwise',
        operand: weightsBase(plan),
      };
    }
    case 'dense-weights': {
      const tapPixel = `(i32.add (i32.mul (i32.div_u ${get('row')} ${i32(g.s)}) ${i32(plan.wp)}) (i32.rem_u ${get('row')} ${i32(g.s)}))`;
      return {
        groups: g.r * g.s,
        setup: `(local.set $gIn ${plus(image, tapPixel, pixel)})\n(local.set $gOut ${plus(get('c'), get('row'), g.c * g.k * 4)})`,
        axis: g.c,
        inStep: 4,
        outStep: g.k * 4,
        blockMovesImage: false,
        operand: get('b'),
      };
    }
    case 'depthwise-weights':
      return {
        groups: g.r,
        setup: `(local.set $gIn ${plus(image, get('row'), plan.wp * pixel)})\n(local.set $gOut ${plus(get('c'), get('row'), g.s * g.c * 4)})`,
        axis: g.s,
        inStep: pixel,
        outStep: g.c * 4,
        blockMovesImage: true,
        operand: get('b'),
      };
  }
}

/**
 * Genome -> WAT for any of the six convolution ops under the kernel ABI
 * (genome/families/abi.ts; the workspace sized by workspaceFloats). The
 * image and turned weights are built first (genome/wasm/conv/prepare.ts),
 * then register tiles walk the output. Correct for every shape: the last
 * tile along the axis has fewer rows, the last channel block fewer vectors
 * and lanes, each a micro-kernel of its own. Pure.
 */
export function convWat(genome: ConvDirectGenome, problem: ConvProblem, wrap: EntryWrap = exportedAs(problem.op)): string {
  const plan = planOf(problem);
  const walk = walkOf(plan);
  const rows = Math.min(genome.tile, walk.axis);
  const vectors = Math.min(genome.vectors, Math.ceil(plan.out / 4));
  const blockChannels = 4 * vectors;
  const fullTiles = Math.floor(walk.axis / rows);
  const tailRows = walk.axis % rows;
  const fullBlocks = Math.floor(plan.out / blockChannels);
  const tailLanes = vectorLanes(plan.out % blockChannels);
  const full = vectorLanes(blockChannels);

  const epilogue = problem.op === 'conv2d' ? epilogueParts(problem.epilogue) : null;
  const fused = epilogue !== null && hasEpilogue(epilogue);
  const shapes: TileShape[] = [];
  const call = (tileRows: number, lanes: readonly number[], tile: string, block: string) => {
    const shape = { rows: tileRows, lanes };
    if (!shapes.some((s) => tileName(s) === tileName(shape))) shapes.push(shape);
    const kOff = `(i32.mul ${block} ${i32(blockChannels * 4)})`;
    const inAt = plus(get('gIn'), tile, rows * walk.inStep);
    return `(call ${tileName(shape)}
  ${walk.blockMovesImage ? `(i32.add ${inAt} ${kOff})` : inAt}
  (i32.add ${walk.operand} ${kOff})
  (i32.add ${plus(get('gOut'), tile, rows * walk.outStep)} ${kOff}))`;
  };
  /** Every tile along the axis (the last one short) for one channel block. */
  const tiles = (lanes: readonly number[], block: string) =>
    [counted('t', fullTiles, call(rows, lanes, get('t'), block)), tailRows ? call(tailRows, lanes, i32(fullTiles), block) : ''].filter(Boolean).join('\n');
  /** `body` for every channel block, the last one narrower. */
  const blocks = (body: (lanes: readonly number[], block: string) => string) =>
    [counted('kb', fullBlocks, body(full, get('kb'))), tailLanes.length ? body(tailLanes, i32(fullBlocks)) : ''].filter(Boolean).join('\n');
  const groups = (body: string) => counted('row', walk.groups, `${walk.setup}\n${body}`);
  const loops = genome.order === 'pixels' ? groups(blocks((lanes, block) => tiles(lanes, block))) : blocks((lanes, block) => groups(tiles(lanes, block)));

  const micro = shapes.map((s) => tileFunc(plan, s, genome, fused ? epilogue : null));
  const extras = [fused ? epilogueGlobals(epilogue) : '', fused ? activationFuncs(epilogue.activation) : '', ...prepareFuncs(plan)].filter(Boolean);
  const { g } = plan;
  return `;; kevo ${problem.op} n${g.n} h${g.h} w${g.w} c${g.c}${g.depthwise ? '' : ` k${g.k}`} r${g.r} s${g.s} stride ${g.stride} pad ${problem.pad} ${problem.dtype}${problem.epilogue ? `, then ${problem.epilogue.join(' -> ')}` : ''}
;; ${plan.kind} direct: ${rows}-row x ${vectors}-vector register tiles, unroll ${genome.unroll}, ${genome.order} outermost, ${genome.fma ? 'relaxed_madd (FMA)' : 'mul + add'}
(module
  (import "env" "memory" (memory 1))
${extras.length ? `${indent(extras.join('\n\n'), 1)}\n` : ''}
${indent(micro.join('\n\n'), 1)}

  (func ${wrap.entry} (param $a i32) (param $b i32) ${fused ? epilogueParams(epilogue) : ''} (param $c i32) (param $ws i32)
    (local $row i32) (local $t i32) (local $kb i32) (local $gIn i32) (local $gOut i32)
${indent([fused ? saveEpiloguePointers(epilogue) : '', prepareCalls(plan), loops].filter(Boolean).join('\n'), 2)})${wrap.funcs.length ? `\n\n${indent(wrap.funcs.join('\n\n'), 1)}` : ''})
`;
}
