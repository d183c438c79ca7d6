import type { MatmulShape } from '../../ops/matmul-problem.ts';
import type { SearchSpace } from '../../space.ts';
import { directSpace } from '../direct/space.ts';
import type { WebgpuCaps } from '../space.ts';
import { MatmulInt8WebgpuGenome, PACKED_DOT } from './genome.ts';

const fixed = { op: 'matmul', backend: 'webgpu', family: 'int8' } as const;

/**
 * The int8 genes on one adapter: dot4 and unpack only where its compiler has
 * the packed_4x8_integer_dot_product language feature. Seeds: the f32
 * family's best hand-picked shape (8x8 threads of 4x4 tiles) with each
 * instruction, dot4 first.
 */
export function int8Space(shape: MatmulShape, caps: WebgpuCaps): SearchSpace<MatmulInt8WebgpuGenome> {
  const packed = caps.wgslFeatures?.includes(PACKED_DOT) ?? false;
  const instructions = packed ? (['dot4', 'unpack', 'bits'] as const) : (['bits'] as const);
  return directSpace(shape, caps, {
    name: 'matmul/webgpu int8',
    schema: MatmulInt8WebgpuGenome,
    fixed,
    choices: { instruction: { values: instructions, why: `dot4 and unpack need WGSL's ${PACKED_DOT} language feature, which this adapter's compiler lacks` } },
    // One unrolled step is four k: four multiply-adds per accumulator lane.
    stepWeight: 4,
    seeds: instructions.map((instruction) => ({ ...fixed, workgroupX: 8, workgroupY: 8, tm: 4, tn: 1, unroll: 2, instruction })),
    descriptor: (g) => [g.instruction],
  });
}
