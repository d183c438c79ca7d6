import type { MatmulProblem } from '../../ops/matmul-problem.ts';
import { precisionSpace, type PrecisionBranch } from '../../precision-space.ts';
import type { SearchSpace } from '../../space.ts';
import { int8Space } from '../int8/space.ts';
import { webgpuMatmulSpace, type WebgpuCaps } from '../space.ts';
import { w4Space } from '../w4/space.ts';
import type { MatmulWebgpuGenome } from '../genome.ts';
import { MatmulPrecisionWebgpuGenome } from './genome.ts';

type Genome = MatmulPrecisionWebgpuGenome;
const GROUPS = [32, 64, 128] as const;
const common = { op: 'matmul', backend: 'webgpu', family: 'precision' } as const;
const wrap = (fields: object) => (kernel: unknown) => MatmulPrecisionWebgpuGenome.parse({ ...common, ...fields, kernel });

/**
 * The precision gene over the WebGPU kernels each precision wraps
 * (genome/precision-space.ts): the tiled space held to f32 (its f16 math is
 * the f16 branch's), the tiled space under the f16 contract (f16 or f32
 * sums of f16 inputs; only with shader-f16), the int8 tile as i8, and the w4
 * tile for each group (groups of 32 seed it). The tiled seeds are all f32
 * sums: the f16 branch adds each with f16 sums, so seeds meet both.
 */
export function webgpuPrecisionSpace(problem: MatmulProblem, caps: WebgpuCaps): SearchSpace<Genome> {
  const f32 = webgpuMatmulSpace({ ...problem, accuracy: 'f32' }, caps);
  const f16 = caps.features.includes('shader-f16') ? webgpuMatmulSpace({ ...problem, accuracy: 'f16' }, caps) : null;
  const branches: PrecisionBranch<Genome>[] = [
    { key: 'f32', precision: 'f32', space: f32, wrap: wrap({ precision: 'f32' }) },
    ...(f16 ? [f16Branch(f16)] : []),
    { key: 'i8', precision: 'i8', space: int8Space(problem.shape, caps), wrap: wrap({ precision: 'i8' }) },
    ...GROUPS.map((group): PrecisionBranch<Genome> => ({ key: `w4:${group}`, precision: 'w4', space: w4Space(problem.shape, caps), wrap: wrap({ precision: 'w4', group }), seeded: group === 32 })),
  ];
  return precisionSpace('matmul-precision/webgpu', MatmulPrecisionWebgpuGenome, branches, (g) => (g.precision === 'w4' ? `w4:${g.group}` : g.precision));
}

function f16Branch(tiled: SearchSpace<MatmulWebgpuGenome>): PrecisionBranch<Genome> {
  const seeds = () => (tiled.seeds?.() ?? []).flatMap((g) => [{ ...g, precision: 'f16' as const }, g]);
  return { key: 'f16', precision: 'f16', space: { ...tiled, seeds }, wrap: wrap({ precision: 'f16' }) };
}
