import type { MatmulShape } from '../../ops/matmul-problem.ts';
import type { SearchSpace } from '../../space.ts';
import { directSpace } from '../direct/space.ts';
import type { WebgpuCaps } from '../space.ts';
import { MatmulW4WebgpuGenome } from './genome.ts';

const fixed = { op: 'matmul', backend: 'webgpu', family: 'w4' } as const;

/** The w4 genes: the tile alone. Seeds: 8x8 threads of 4x4 outputs (the f32 family's best by hand), and a narrow 2x4 for GEMV-like M. */
export function w4Space(shape: MatmulShape, caps: WebgpuCaps): SearchSpace<MatmulW4WebgpuGenome> {
  return directSpace(shape, caps, {
    name: 'matmul/webgpu w4',
    schema: MatmulW4WebgpuGenome,
    fixed,
    choices: {},
    // One unrolled step is eight k: eight multiply-adds per accumulator lane.
    stepWeight: 8,
    seeds: [
      { ...fixed, workgroupX: 8, workgroupY: 8, tm: 4, tn: 1, unroll: 1 },
      { ...fixed, workgroupX: 16, workgroupY: 4, tm: 2, tn: 1, unroll: 2 },
    ],
    descriptor: () => ['w4'],
  });
}
