import { accuracyOf, meetsAccuracy, type Accuracy } from '../../ops/accuracy.ts';
import type { MatmulShape } from '../../ops/matmul-problem.ts';
import type { SearchSpace } from '../../space.ts';
import { directSpace } from '../direct/space.ts';
import type { WebgpuCaps } from '../space.ts';
import { MatmulF16WebgpuGenome } from './genome.ts';

const fixed = { op: 'matmul', backend: 'webgpu', family: 'f16' } as const;
const tile = { workgroupX: 8, workgroupY: 8, tm: 4, tn: 1, unroll: 4 };

/**
 * The f16-storage genes on one adapter: array<f16> storage only with
 * shader-f16, f16 arithmetic only with shader-f16 and a problem whose
 * accuracy contract allows f16 rounding (`--accuracy f16`). Seeds: 8x8
 * threads of 4x4 tiles, f32 accumulation, over each storage.
 */
export function f16Space(problem: { shape: MatmulShape; accuracy?: Accuracy | undefined }, caps: WebgpuCaps): SearchSpace<MatmulF16WebgpuGenome> {
  const shaderF16 = caps.features.includes('shader-f16');
  const f16Math = shaderF16 && meetsAccuracy('f16', accuracyOf(problem));
  const storages = shaderF16 ? (['f16', 'packed'] as const) : (['packed'] as const);
  return directSpace(problem.shape, caps, {
    name: 'matmul/webgpu f16',
    schema: MatmulF16WebgpuGenome,
    fixed,
    choices: {
      storage: { values: storages, why: 'array<f16> storage needs the shader-f16 feature' },
      precision: {
        values: f16Math ? ['f32', 'f16'] : ['f32'],
        why: `f16 arithmetic needs the shader-f16 feature and a problem whose accuracy contract allows it (this one: ${accuracyOf(problem)})`,
      },
    },
    // Counted per lane, as int8 does: a B group of an odd N is four clamped loads, and a random 4x16 tile unrolled 8 deep took lavapipe minutes to compile.
    stepWeight: 4,
    seeds: [...storages.map((storage) => ({ ...fixed, ...tile, storage, precision: 'f32' as const })), ...(f16Math ? [{ ...fixed, ...tile, storage: 'f16' as const, precision: 'f16' as const }] : [])],
    descriptor: (g) => [g.storage, g.precision],
  });
}
