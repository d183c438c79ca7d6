import type { ConvProblem } from '../../ops/conv/problem.ts';
import type { MatmulProblem } from '../../ops/matmul-problem.ts';
import { bPackedAtLoad, matmulWat } from '../codegen.ts';
import type { PrepareRequest } from '../../families/abi.ts';
import type { MatmulWasmGenome } from '../genome.ts';
import { epilogueParams } from '../epilogue.ts';
import { epilogueParts } from '../../ops/epilogue.ts';
import { get, i32, indent, loadLanes, storeLanes, vectorLanes } from '../wat.ts';
import type { ConvGemmGenome, ConvImplicitGenome } from './genome.ts';
import { counted, plus } from './loops.ts';
import { planOf, workspaceFloats, type Plan } from './plan.ts';
import { imageBase, prepareCalls, prepareFuncs, weightsBase } from './prepare.ts';

const ALIGN = 64;
/** Workspace parts start on cache lines. */
export const aligned = (bytes: number) => Math.ceil(bytes / ALIGN) * ALIGN;

/**
 * A dense plan as one GEMM. conv2d and conv2d-bwd-data: A the lowered
 * windows [n*oh*ow, R*S*ch], B the (turned) weights [R*S*ch, out] as they
 * lie, C the output [n*oh*ow, out], conv2d's epilogue (bias per column,
 * residual [M, N]) the matmul's. conv2d-bwd-weights: dW[R*S*C, K] =
 * im2col(X)^T [R*S*C, n*oh*ow] x dY [n*oh*ow, K], A lowered transposed.
 * `lowered` is false when the image already is A: a 1x1 window at stride 1
 * over an unpadded image reads every pixel once, in order.
 */
export interface Lowering {
  readonly matmul: MatmulProblem;
  readonly lowered: boolean;
}

export function loweringOf(plan: Plan, problem: ConvProblem): Lowering {
  const { g } = plan;
  const pixels = plan.n * plan.oh * plan.ow;
  const taps = g.r * g.s * plan.ch;
  if (plan.kind === 'dense-weights') return { matmul: { op: 'matmul', shape: { m: taps, k: pixels, n: plan.out }, dtype: 'f32' }, lowered: true };
  const direct = g.r === 1 && g.s === 1 && plan.stride === 1 && plan.hp === plan.oh && plan.wp === plan.ow;
  // Built, not parsed: M may pass the 65536 a matmul problem's schema allows a user; the codegen only reads shape and epilogue.
  const matmul: MatmulProblem = { op: 'matmul', shape: { m: pixels, k: taps, n: plan.out }, dtype: 'f32', ...(problem.epilogue ? { epilogue: problem.epilogue } : {}) };
  return { matmul, lowered: !direct };
}

/** Byte offsets in the workspace: the plan's image and turned weights first (prepare.ts), then A, then the matmul kernel's packing space. */
export function gemmWorkspace(plan: Plan, lowering: Lowering): { a: number; inner: number; bytes: number } {
  const { m, k, n } = lowering.matmul.shape;
  const a = aligned(4 * workspaceFloats(plan));
  const inner = lowering.lowered ? aligned(a + 4 * m * k) : a;
  return { a, inner, bytes: inner + 4 * (m * k + k * n) };
}

/**
 * Whether a plan's GEMM multiplies by the weights input as it lies (conv2d:
 * HWIO [R*S*C, K] is a row-major B), so B can be packed once at load time;
 * bwd-data's B is turned per call, bwd-weights' is dY.
 */
export const weightsAsB = (plan: Plan) => plan.kind === 'dense' && !plan.turned;

/** W packed at load (packB 'load', conv2d): the GEMM's B is W, ABI input 1; undefined otherwise. */
export function gemmPrepare(genome: ConvGemmGenome, lowering: Lowering): PrepareRequest | undefined {
  const request = bPackedAtLoad(matmulGenes(genome), lowering.matmul);
  return request && { ...request, weights: [1] };
}

/** The matmul genes of a GEMM genome (im2col or implicit): the f32 `tiled` kernel's own. */
export function matmulGenes(g: ConvGemmGenome | ConvImplicitGenome): MatmulWasmGenome {
  const { algorithm: _algorithm, op: _op, family: _family, ...genes } = g;
  return { ...genes, op: 'matmul', family: 'tiled' };
}

/**
 * Genome -> WAT: the f32 matmul module of the genome's genes (genome/wasm/codegen.ts,
 * its entry renamed $gemm), wrapped by an entry under the convolution ABI that
 * builds the image (and turned weights), lowers the windows, and calls it. Pure.
 */
export function convGemmWat(genome: ConvGemmGenome, problem: ConvProblem): string {
  const plan = planOf(problem);
  if (plan.kind !== 'dense' && plan.kind !== 'dense-weights') throw new RangeError(`im2col + GEMM computes dense convolutions, not ${problem.op}`);
  const lowering = loweringOf(plan, problem);
  const ws = gemmWorkspace(plan, lowering);
  const epilogue = epilogueParts(problem.epilogue);
  const at = (offset: number) => plus(get('ws'), i32(offset));
  const aMatrix = lowering.lowered ? at(ws.a) : imageBase(plan);
  const epilogueArgs = [epilogue.bias ? get('bias') : '', epilogue.residual ? get('r') : ''].filter(Boolean).join(' ');
  const bMatrix = plan.kind === 'dense-weights' ? get('b') : weightsBase(plan);
  // B packed at load: the GEMM's own prepare entry packed W into the launch's region, which the GEMM reads last
  const atLoad = genome.packB === 'load';
  if (atLoad && !weightsAsB(plan)) throw new RangeError(`${problem.op}: B is not the weights as they lie, so it cannot be packed at load time`);
  const calls = [
    prepareCalls(plan),
    lowering.lowered ? `(call $im2col ${imageBase(plan)} ${at(ws.a)})` : '',
    `(call $gemm ${aMatrix} ${bMatrix} ${epilogueArgs} ${get('c')} ${at(ws.inner)}${atLoad ? ` ${get('packed')}` : ''})`,
  ];
  const entry = `;; the convolution's entry: image and weights prepared, windows lowered, then the GEMM above
(func (export "${problem.op}") (param $a i32) (param $b i32) ${epilogueParams(epilogue)} (param $c i32) (param $ws i32)${atLoad ? ' (param $packed i32)' : ''}
${indent(calls.filter(Boolean).join('\n'), 1)})`;
  const { m, k, n } = lowering.matmul.shape;
  const header = `${convHeader(problem)}
;; im2col + GEMM: ${lowering.lowered ? `the windows lowered into A[${m},${k}]` : `the image is A[${m},${k}] as it lies`}, times ${plan.kind === 'dense-weights' ? 'dY' : 'the weights'} B[${k},${n}]
`;
  const lower = plan.kind === 'dense-weights' ? im2colTransposedFunc(plan) : im2colFunc(plan);
  const funcs = [...prepareFuncs(plan), lowering.lowered ? lower : '', entry].filter(Boolean);
  return header + matmulWat(matmulGenes(genome), lowering.matmul, { entry: '$gemm', funcs });
}

/** The module's first line: the problem, as the direct codegen names it. */
export function convHeader(problem: ConvProblem): string {
  const { g } = planOf(problem);
  return `;; kevo ${problem.op} n${g.n} h${g.h} w${g.w} c${g.c} k${g.k} r${g.r} s${g.s} stride ${g.stride} pad ${problem.pad} f32${problem.epilogue ? `, then ${problem.epilogue.join(' -> ')}` : ''}`;
}

/** The image row of output row $row = (n, y) under the window's first row: n*hp + y*stride. */
export const imageRowOf = (plan: Plan) =>
  `(i32.add (i32.mul (i32.div_u ${get('row')} ${i32(plan.oh)}) ${i32(plan.hp)}) (i32.mul (i32.rem_u ${get('row')} ${i32(plan.oh)}) ${i32(plan.stride)}))`;

/**
 * A[(n,y,x), (r,s,c)] = image[n, y*stride + r, x*stride + s, c]: per output
 * pixel and window row, S*ch floats that lie together in the image (the
 * padding is already zeros in it), written to A in order. Copied with v128
 * loads and stores: memory.copy is a call into the runtime, dear for runs
 * of a few dozen floats.
 */
export function im2colFunc(plan: Plan): string {
  const { g } = plan;
  const pixel = plan.ch * 4;
  const run = g.s * plan.ch;
  const imageRow = imageRowOf(plan);
  const windowRow = `(local.set $from ${plus(get('p'), get('r'), plan.wp * pixel)})
${copyFloats(run)}
(local.set $dst (i32.add ${get('dst')} ${i32(run * 4)}))`;
  const body = counted(
    'row',
    plan.n * plan.oh,
    `(local.set $p ${plus(get('src'), imageRow, plan.wp * pixel)})
${counted('x', plan.ow, `${counted('r', g.r, windowRow)}\n(local.set $p (i32.add ${get('p')} ${i32(plan.stride * pixel)}))`)}`,
  );
  return `;; im2col: the [${plan.n},${plan.hp},${plan.wp},${plan.ch}] image's ${g.r}x${g.s} windows at stride ${plan.stride} as rows of A[${plan.n * plan.oh * plan.ow},${g.r * g.s * plan.ch}]
(func $im2col (param $src i32) (param $dst i32) (local $row i32) (local $x i32) (local $r i32) (local $p i32) (local $from i32) (local $to i32) (local $end i32)
${indent(body, 1)})`;
}

/**
 * A[(r,s,c), (n,y,x)] = image[n, y*stride + r, x*stride + s, c], the
 * transposed lowering bwd-weights multiplies by dY: written in order, read
 * one float per output pixel (stride*ch apart), so scalar.
 */
export function im2colTransposedFunc(plan: Plan): string {
  const { g } = plan;
  const pixel = plan.ch * 4;
  const imageRow = imageRowOf(plan);
  // the tap's (r, s, c) offset in the image: r rows, s pixels, c floats
  const tap = `(i32.add (i32.mul (i32.add (i32.mul (i32.div_u ${get('t')} ${i32(g.s)}) ${i32(plan.wp)}) (i32.rem_u ${get('t')} ${i32(g.s)})) ${i32(pixel)}) (i32.shl ${get('ch')} (i32.const 2)))`;
  const pixels = `(local.set $p (i32.add ${plus(get('src'), imageRow, plan.wp * pixel)} ${tap}))
${counted('x', plan.ow, `(f32.store ${get('dst')} (f32.load ${get('p')}))
(local.set $dst (i32.add ${get('dst')} (i32.const 4)))
(local.set $p (i32.add ${get('p')} ${i32(plan.stride * pixel)}))`)}`;
  return `;; im2col transposed: A[${g.r * g.s * plan.ch},${plan.n * plan.oh * plan.ow}], row (r,s,c) the image's channel c at every window's tap (r,s)
(func $im2col (param $src i32) (param $dst i32) (local $t i32) (local $ch i32) (local $row i32) (local $x i32) (local $p i32)
${indent(counted('t', g.r * g.s, counted('ch', plan.ch, counted('row', plan.n * plan.oh, pixels))), 1)})`;
}

/** `count` floats from $from to $dst: 16 a loop turn when there are 32 or more, the rest straight-line, never a byte past either run. */
function copyFloats(count: number): string {
  const move = (offset: number, lanes: number) => storeLanes(lanes, get('to'), offset, loadLanes(lanes, get('from'), offset));
  const turns = count >= 32 ? Math.floor(count / 16) : 0;
  const loop = turns
    ? `(local.set $end ${plus(get('from'), i32(turns * 64))})
(loop $copy
${indent([0, 16, 32, 48].map((offset) => move(offset, 4)).join('\n'), 1)}
  (local.set $from (i32.add ${get('from')} (i32.const 64)))
  (local.set $to (i32.add ${get('to')} (i32.const 64)))
  (br_if $copy (i32.lt_u ${get('from')} ${get('end')})))`
    : '';
  return [`(local.set $to ${get('dst')})`, loop, ...vectorLanes(count - 16 * turns).map((lanes, v) => move(v * 16, lanes))].filter(Boolean).join('\n');
}
