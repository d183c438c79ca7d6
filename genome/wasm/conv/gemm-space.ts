import type { ConvProblem } from '../../ops/conv/problem.ts';
import type { MatmulProblem } from '../../ops/matmul-problem.ts';
import { relabelledSpace, type SearchSpace } from '../../space.ts';
import type { MatmulWasmGenome } from '../genome.ts';
import { wasmMatmulSpace, type WasmCaps, type WasmSpaceOptions } from '../space.ts';
import { loweringOf, matmulGenes, weightsAsB } from './gemm.ts';
import { convGemmGenome, convImplicitGenome, type ConvGemmGenome, type ConvImplicitGenome } from './genome.ts';
import { implicitMatmul } from './implicit.ts';
import { planOf } from './plan.ts';

/**
 * im2col + GEMM's genes for one dense convolution: the f32 matmul space of
 * the GEMM it lowers to (genome/wasm/space.ts: register budget, blocks,
 * seeds fitted to [n*oh*ow, R*S*C] x [R*S*C, K]), each genome renamed to the
 * convolution family with `algorithm: 'im2col'`.
 */
export function wasmGemmSpace(problem: ConvProblem, caps: WasmCaps): SearchSpace<ConvGemmGenome> {
  const plan = planOf(problem);
  // conv2d multiplies by W as it lies: where W is fixed (inference), its GEMM may pack W once, at load time
  return loweredSpace(problem, loweringOf(plan, problem).matmul, caps, 'im2col', convGemmGenome(problem.op), { packBAtLoad: packsAtLoad(problem) });
}

/**
 * Implicit GEMM's genes: the f32 matmul space of one (output row, window
 * row) GEMM, [ow, S*C] x [S*C, K] with no epilogue (so no epilogue gene:
 * the convolution's epilogue runs as passes), renamed with `algorithm: 'implicit'`.
 */
export function wasmImplicitSpace(problem: ConvProblem, caps: WasmCaps): SearchSpace<ConvImplicitGenome> {
  const plan = planOf(problem);
  return loweredSpace(problem, implicitMatmul(plan).matmul, caps, 'implicit', convImplicitGenome(problem.op), { packBAtLoad: packsAtLoad(problem) });
}

const packsAtLoad = (problem: ConvProblem) => problem.weights === 'fixed' && weightsAsB(planOf(problem));

function loweredSpace<A extends 'im2col' | 'implicit', G extends ConvGemmGenome | ConvImplicitGenome>(
  problem: ConvProblem,
  matmul: MatmulProblem,
  caps: WasmCaps,
  algorithm: A,
  schema: SearchSpace<G>['schema'],
  options: WasmSpaceOptions = {},
): SearchSpace<G> {
  const out = (g: MatmulWasmGenome): G => {
    const { op: _matmul, family: _tiled, ...genes } = g;
    return { ...genes, op: problem.op, family: 'direct', algorithm } as G;
  };
  return relabelledSpace(wasmMatmulSpace(matmul, caps, options), { name: `${problem.op}/wasm ${algorithm}`, schema, outer: out, inner: matmulGenes });
}
