import { describeZodError } from '../../../lib/errors.ts';
import type { ConvProblem } from '../../ops/conv/problem.ts';
import type { SearchSpace } from '../../space.ts';
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
  const inner = wasmMatmulSpace(loweringOf(planOf(problem), problem).matmul, caps);
  const schema = convGemmGenome(problem.op);
  const outer = (g: MatmulWasmGenome): ConvGemmGenome => {
    const { op: _matmul, family: _tiled, ...genes } = g;
    return { ...genes, op: problem.op, family: 'direct', algorithm: 'im2col' };
  };
  return {
    name: `${problem.op}/wasm im2col`,
    schema,
    sample: (rng) => outer(inner.sample(rng)),
    mutate: (g, rng) => outer(inner.mutate(matmulGenes(g), rng)),
    crossover: (a, b, rng) => outer(inner.crossover(matmulGenes(a), matmulGenes(b), rng)),
    check: (g) => {
      const parsed = schema.safeParse(g);
      return parsed.success ? inner.check(matmulGenes(parsed.data)) : describeZodError(parsed.error);
    },
    repair: (g) => {
      const repaired = inner.repair(matmulGenes(g));
      return repaired && outer(repaired);
    },
    seeds: () => inner.seeds!().map(outer),
    descriptor: (g) => inner.descriptor(matmulGenes(g)),
  };
}
