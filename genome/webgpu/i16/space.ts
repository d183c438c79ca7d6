import type { MatmulShape } from '../../ops/matmul-problem.ts';
import type { SearchSpace } from '../../space.ts';
import { directSpace } from '../direct/space.ts';
import type { WebgpuCaps } from '../space.ts';
import { MatmulI16WebgpuGenome } from './genome.ts';

const fixed = { op: 'matmul', backend: 'webgpu', family: 'i16' } as const;

/**
 * The i16 genes for one problem: both unpack forms anywhere (core WGSL), and
 * both ways to combine K blocks when the problem has block exponents. Seeds:
 * 8x8 threads of 4x4 tiles with each unpack form.
 */
export function i16Space(shape: MatmulShape, exponentBlock: number | undefined, caps: WebgpuCaps): SearchSpace<MatmulI16WebgpuGenome> {
  const combines = exponentBlock ? (['block', 'step'] as const) : (['block'] as const);
  return directSpace(shape, caps, {
    name: 'matmul/webgpu i16',
    schema: MatmulI16WebgpuGenome,
    fixed,
    choices: {
      unpack: { values: ['shift', 'bits'], why: 'expected shift or bits' },
      combine: { values: combines, why: 'one exponent per tensor: there are no K blocks to combine' },
    },
    // One unrolled step is two k: counted per lane as int8 and f16 do (two B words per group per k).
    stepWeight: 4,
    seeds: (['shift', 'bits'] as const).map((unpack) => ({ ...fixed, workgroupX: 8, workgroupY: 8, tm: 4, tn: 1, unroll: 2, unpack, combine: 'block' as const })),
    descriptor: (g) => [g.unpack, ...(exponentBlock ? [g.combine] : [])],
  });
}
