import type { MatmulShape } from '../../ops/matmul-problem.ts';
import type { SearchSpace } from '../../space.ts';
import { directSpace } from '../direct/space.ts';
import { PACKED_DOT } from '../int8/genome.ts';
import type { WebgpuCaps } from '../space.ts';
import { MatmulW4a8WebgpuGenome } from './genome.ts';

const fixed = { op: 'matmul', backend: 'webgpu', family: 'w4a8' } as const;

/**
 * The w4a8 genes on one adapter: dot4 only where its compiler has the
 * packed_4x8_integer_dot_product language feature. Seeds: 8x8 threads of
 * 4x4 outputs with each instruction, and w4's narrow 2x4 tile for GEMV-like M.
 */
export function w4a8Space(shape: MatmulShape, caps: WebgpuCaps): SearchSpace<MatmulW4a8WebgpuGenome> {
  const packed = caps.wgslFeatures?.includes(PACKED_DOT) ?? false;
  const instructions = packed ? (['dot4', 'bits'] as const) : (['bits'] as const);
  return directSpace(shape, caps, {
    name: 'matmul/webgpu w4a8',
    schema: MatmulW4a8WebgpuGenome,
    fixed,
    choices: { instruction: { values: instructions, why: `dot4 needs WGSL's ${PACKED_DOT} language feature, which this adapter's compiler lacks` } },
    // One unrolled step is eight k: eight multiply-adds per accumulator lane.
    stepWeight: 8,
    seeds: [
      ...instructions.map((instruction) => ({ ...fixed, workgroupX: 8, workgroupY: 8, tm: 4, tn: 1, unroll: 1, instruction })),
      { ...fixed, workgroupX: 16, workgroupY: 4, tm: 2, tn: 1, unroll: 2, instruction: instructions[0] },
    ],
    descriptor: (g) => [g.instruction],
  });
}
