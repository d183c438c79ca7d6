import type { ConvProblem } from '../../ops/conv/problem.ts';
import type { MatmulProblem } from '../../ops/matmul-problem.ts';
import { epilogueParts } from '../../ops/epilogue.ts';
import { bPackedAtLoad, matmulWat } from '../codegen.ts';
import type { PrepareRequest } from '../../families/abi.ts';
import { activationFuncs, epilogueGlobals, epilogueParams, epiloguePasses, saveEpiloguePointers } from '../epilogue.ts';
import { get, i32, indent } from '../wat.ts';
import { aligned, convHeader, imageRowOf, matmulGenes, weightsAsB } from './gemm.ts';
import type { ConvImplicitGenome } from './genome.ts';
import { counted, plus } from './loops.ts';
import { planOf, workspaceFloats, type Plan } from './plan.ts';
import { imageBase, prepareCalls, prepareFuncs, weightsBase } from './prepare.ts';

/**
 * The GEMM each (output row, window row) pair is: within output row oh of
 * image n and window row r, A[x, s*ch + c] = image[n, oh*stride + r,
 * x*stride + s, c] lies at base + x*(stride*ch) + s*ch + c, a row-major
 * [ow, S*ch] matrix whose rows are stride*ch floats apart (overlapping when
 * stride < S: A is only read); B = W[r], the [S*ch, out] slice of the HWIO
 * (bwd-data: turned) weights, contiguous. No epilogue: it runs once all R
 * window rows have added into the output, as passes.
 */
export function implicitMatmul(plan: Plan): { matmul: MatmulProblem; lda: number } {
  return { matmul: { op: 'matmul', shape: { m: plan.ow, k: plan.g.s * plan.ch, n: plan.out }, dtype: 'f32' }, lda: plan.stride * plan.ch };
}

/** Byte offsets in the workspace: the plan's image (and turned weights) first, then the matmul kernel's packing space. */
export function implicitWorkspace(plan: Plan): { inner: number; bytes: number } {
  const { m, k, n } = implicitMatmul(plan).matmul.shape;
  const inner = aligned(4 * workspaceFloats(plan));
  return { inner, bytes: inner + 4 * (m * k + k * n) };
}

/**
 * W packed at load (packB 'load', conv2d): each window row's slice W[r] packed
 * as the GEMM's B, one after another (the input W is ABI input 1); undefined otherwise.
 */
export function implicitPrepare(genome: ConvImplicitGenome, plan: Plan): PrepareRequest | undefined {
  const slice = bPackedAtLoad(matmulGenes(genome), implicitMatmul(plan).matmul);
  return slice && { ...slice, weights: [1], packedBytes: slice.packedBytes * plan.g.r };
}

/**
 * Genome -> WAT: implicit GEMM. The f32 matmul module of the genome's genes
 * (entry $gemm, A read at row stride stride*ch, accumulating on request),
 * called per output row and window row: the first window row overwrites the
 * output row, the others add into it. No im2col buffer. Pure.
 */
export function convImplicitWat(genome: ConvImplicitGenome, problem: ConvProblem): string {
  const plan = planOf(problem);
  if (plan.kind !== 'dense') throw new RangeError(`implicit GEMM computes dense forward convolutions (conv2d, conv2d-bwd-data), not ${problem.op}`);
  const { g } = plan;
  const { matmul, lda } = implicitMatmul(plan);
  const ws = implicitWorkspace(plan);
  const epilogue = epilogueParts(problem.epilogue);
  const passes = epiloguePasses(epilogue, plan.n * plan.oh * plan.ow, plan.out);
  const pixel = plan.ch * 4;
  const sliceBytes = g.s * plan.ch * plan.out * 4;
  // W packed at load: window row r's slice packed as the GEMM's B, at r slices into the region
  const atLoad = genome.packB === 'load';
  if (atLoad && !weightsAsB(plan)) throw new RangeError(`${problem.op}: B is not the weights as they lie, so it cannot be packed at load time`);
  const windowRow = `(call $gemm ${plus(get('src'), get('tap'), plan.wp * pixel)} ${plus(weightsBase(plan), get('tap'), sliceBytes)} ${get('dst')} ${plus(get('ws'), i32(ws.inner))} ${get('tap')}${atLoad ? ` ${plus(get('packed'), get('tap'), sliceBytes)}` : ''})`;
  const prepare = `;; load time: every window row's weights W[r] into the GEMM's panels
(func (export "prepare") (param $b i32) (param $packed i32) (local $tap i32)
${indent(counted('tap', g.r, `(call $pack_w_row ${plus(get('b'), get('tap'), sliceBytes)} ${plus(get('packed'), get('tap'), sliceBytes)})`), 1)})`;
  const rows = counted(
    'row',
    plan.n * plan.oh,
    `(local.set $src ${plus(imageBase(plan), imageRowOf(plan), plan.wp * pixel)})
${counted('tap', g.r, windowRow)}
(local.set $dst (i32.add ${get('dst')} ${i32(plan.ow * plan.out * 4)}))`,
  );
  const body = [prepareCalls(plan), saveEpiloguePointers(epilogue), `(local.set $dst ${get('c')})`, rows, passes.calls].filter(Boolean).join('\n');
  const entry = `;; the convolution's entry: image (and weights) prepared, then per output row one GEMM per window row (the first overwrites, the rest accumulate)${passes.calls ? ', then the epilogue passes' : ''}
(func (export "${problem.op}") (param $a i32) (param $b i32) ${epilogueParams(epilogue)} (param $c i32) (param $ws i32)${atLoad ? ' (param $packed i32)' : ''} (local $row i32) (local $tap i32) (local $src i32) (local $dst i32)
${indent(body, 1)})`;
  const header = `${convHeader(problem)}
;; implicit GEMM: per output row and window row, A[${matmul.shape.m},${matmul.shape.k}] read from the image at row stride ${lda}, times W[r] B[${matmul.shape.k},${matmul.shape.n}]
`;
  const funcs = [epilogueGlobals(epilogue), activationFuncs(epilogue.activation), ...passes.funcs, ...prepareFuncs(plan), ...(atLoad ? [prepare] : []), entry].filter(Boolean);
  return header + matmulWat(matmulGenes(genome), matmul, { entry: '$gemm', funcs, ...(atLoad ? { prepare: '$pack_w_row' } : {}) }, { lda, accumulate: true });
}
