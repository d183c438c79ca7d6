import { z } from 'zod';
import { describeZodError } from '../../../lib/errors.ts';
import type { Rng } from '../../../lib/rng.ts';
import { accuracyOf, meetsAccuracy } from '../../ops/accuracy.ts';
import type { ConvOpName, ConvProblem } from '../../ops/conv/problem.ts';
import type { SearchSpace } from '../../space.ts';
import type { WebgpuCaps } from '../tile-genes.ts';
import { convWebgpuGenome, type ConvWebgpuGenome } from './genome.ts';
import type { Numbers } from './numbers.ts';
import { webgpuConvSpace } from './space.ts';

/**
 * A WGSL convolution over f16 tensors: the `conv` family's genes (no
 * epilogue: f16 problems have none) under family `f16`, and how the tensors
 * are stored and summed, as matmul's f16 family: `storage` f16
 * (array<f16>, shader-f16) or packed (array<u32> of two halves, core WGSL),
 * `precision` f32 or f16 multiply-adds (shader-f16, and only where the
 * problem's accuracy contract allows f16 rounding).
 */
export const convF16WebgpuGenome = <O extends ConvOpName>(op: O) =>
  convWebgpuGenome(op)
    .omit({ family: true, epilogue: true })
    .extend({ family: z.literal('f16'), storage: z.enum(['f16', 'packed']), precision: z.enum(['f32', 'f16']) })
    .strict();
export type ConvF16WebgpuGenome = z.infer<ReturnType<typeof convF16WebgpuGenome>>;

type Storage = ConvF16WebgpuGenome['storage'];
type Precision = ConvF16WebgpuGenome['precision'];

export const numbersOf = (g: ConvF16WebgpuGenome): Numbers => ({ storage: g.storage, compute: g.precision });
/** The f32 family's genome of the same tile and loops. */
const twin = ({ storage: _s, precision: _p, ...g }: ConvF16WebgpuGenome): ConvWebgpuGenome => ({ ...g, family: 'conv' });
const f16Genome = ({ epilogue: _none, ...g }: ConvWebgpuGenome, storage: Storage, precision: Precision): ConvF16WebgpuGenome => ({ ...g, family: 'f16', storage, precision });

/**
 * The f32 conv space's genes for the same shape (./space.ts: tiles, loops,
 * staging; its workgroup-memory bound counts 4-byte scalars, so an f16
 * kernel always fits), with storage and precision on top. Seeds: the f32
 * seeds over each storage with f32 sums, and f16 sums where allowed.
 */
export function webgpuConvF16Space(problem: ConvProblem, caps: WebgpuCaps): SearchSpace<ConvF16WebgpuGenome> {
  const inner = webgpuConvSpace({ ...problem, dtype: 'f32' }, caps);
  const schema = convF16WebgpuGenome(problem.op);
  const shaderF16 = caps.features.includes('shader-f16');
  const storages: readonly Storage[] = shaderF16 ? ['f16', 'packed'] : ['packed'];
  const precisions: readonly Precision[] = shaderF16 && meetsAccuracy('f16', accuracyOf(problem)) ? ['f32', 'f16'] : ['f32'];
  const fit = (g: ConvF16WebgpuGenome): Pick<ConvF16WebgpuGenome, 'storage' | 'precision'> => ({
    storage: storages.includes(g.storage) ? g.storage : 'packed',
    precision: precisions.includes(g.precision) ? g.precision : 'f32',
  });

  function check(genome: ConvF16WebgpuGenome): string | null {
    const parsed = schema.safeParse(genome);
    if (!parsed.success) return describeZodError(parsed.error);
    const g = parsed.data;
    if (!storages.includes(g.storage)) return 'array<f16> storage needs the shader-f16 feature';
    if (!precisions.includes(g.precision)) return `f16 arithmetic needs the shader-f16 feature and a problem whose accuracy contract allows it (this one: ${accuracyOf(problem)})`;
    return inner.check(twin(g));
  }

  function repair(g: ConvF16WebgpuGenome): ConvF16WebgpuGenome | null {
    const repaired = inner.repair(twin(g));
    const numbers = fit(g);
    return repaired && f16Genome(repaired, numbers.storage, numbers.precision);
  }

  const mutations: ((g: ConvF16WebgpuGenome, rng: Rng) => ConvF16WebgpuGenome)[] = [
    (g, rng) => ({ ...g, storage: rng.pick(storages) }),
    (g, rng) => ({ ...g, precision: rng.pick(precisions) }),
    (g, rng) => f16Genome(inner.mutate(twin(g), rng), g.storage, g.precision),
    (g, rng) => f16Genome(inner.mutate(twin(g), rng), g.storage, g.precision),
  ];

  return {
    name: `${problem.op}/webgpu f16`,
    schema,
    sample: (rng) => f16Genome(inner.sample(rng), rng.pick(storages), rng.pick(precisions)),
    mutate: (g, rng) => repair(rng.pick(mutations)(g, rng)) ?? g,
    crossover: (a, b, rng) => {
      const numbers = rng.chance(0.5) ? a : b;
      return f16Genome(inner.crossover(twin(a), twin(b), rng), numbers.storage, numbers.precision);
    },
    check,
    repair,
    seeds: () => {
      const seeds = inner.seeds!();
      return [...seeds.flatMap((g) => storages.map((storage) => f16Genome(g, storage, 'f32'))), ...(precisions.includes('f16') ? [f16Genome(seeds[0]!, storages[0]!, 'f16')] : [])];
    },
    descriptor: (g) => [...inner.descriptor(twin(g)), g.storage, g.precision],
  };
}
