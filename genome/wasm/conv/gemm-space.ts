import type { ConvProblem } from '../../ops/conv/problem.ts';
import { relabelledSpace, type SearchSpace } from '../../space.ts';
import type { MatmulWasmGenome } from '../genome.ts';
import { wasmMatmulSpace, type WasmCaps } from '../space.ts';
import { loweringOf, matmulGenes } from './gemm.ts';
import { convGemmGenome, type ConvGemmGenome } from './genome.ts';
import { planOf } from './plan.ts';

/**
 * im2col + GEMM's genes for one dense convolution: the f32 matmul space of
 * the GEMM it lowers to (genome/wasm/space.ts: register budget, blocks,
 * seeds fitted to [n*oh*ow, R*S*C] x [R*S*C, K]), each genome renamed to the
 * convolution family with `algorithm: 'im2col'`.
 */
export function wasmGemmSpace(problem: ConvProblem, caps: WasmCaps): SearchSpace<ConvGemmGenome> {
  const out = (g: MatmulWasmGenome): ConvGemmGenome => {
    const { op: _matmul, family: _tiled, ...genes } = g;
    return { ...genes, op: problem.op, family: 'direct', algorithm: 'im2col' };
  };
  const inner = wasmMatmulSpace(loweringOf(planOf(problem), problem).matmul, caps);
  return relabelledSpace(inner, { name: `${problem.op}/wasm im2col`, schema: convGemmGenome(problem.op), outer: out, inner: matmulGenes });
}
