import { describeZodError } from '../../../lib/errors.ts';
import type { Rng } from '../../../lib/rng.ts';
import type { MatmulProblem } from '../../ops/matmul-problem.ts';
import { interleave, type SearchSpace } from '../../space.ts';
import { wasmInt4Space } from '../int4/space.ts';
import { wasmInt8Space } from '../int8/space.ts';
import { wasmMatmulSpace, type WasmCaps } from '../space.ts';
import { i8Problem } from './codegen.ts';
import { wasmF16KernelSpace } from './f16-space.ts';
import { MatmulPrecisionWasmGenome, type PrecisionGene } from './genome.ts';

type Genome = MatmulPrecisionWasmGenome;
const GROUPS = [32, 64, 128] as const;
type Group = (typeof GROUPS)[number];
const common = { op: 'matmul', backend: 'wasm', family: 'precision' } as const;

/** One precision's genes: the space of the kernel it wraps, as genomes of this family. */
interface Branch {
  readonly space: SearchSpace<unknown>;
  wrap(kernel: unknown): Genome;
}

/**
 * The precision gene over the spaces of the kernels each precision wraps:
 * the f32 tiled space, the int8 space over the same shape as i8, the int4
 * space as w4 for each group (the group is a gene too), and f16's tile. Mutation
 * mostly stays within a precision and now and then jumps to another's seed;
 * crossover mixes kernels of one precision and picks a parent otherwise.
 * Seeds take turns between precisions, so a small budget meets all of them.
 */
export function wasmPrecisionSpace(problem: MatmulProblem, caps: WasmCaps): SearchSpace<Genome> {
  const f32 = wasmMatmulSpace(problem, caps);
  const i8 = wasmInt8Space(i8Problem(problem));
  const w4 = (group: Group) => wasmInt4Space({ ...problem.shape, group, dtype: 'w4', zeroPoints: false }, caps);
  const branches = new Map<string, Branch>([
    ['f32', { space: f32, wrap: (kernel) => MatmulPrecisionWasmGenome.parse({ ...common, precision: 'f32', kernel }) }],
    ['i8', { space: i8, wrap: (kernel) => MatmulPrecisionWasmGenome.parse({ ...common, precision: 'i8', kernel }) }],
    ...GROUPS.map((group): [string, Branch] => [`w4:${group}`, { space: w4(group), wrap: (kernel) => MatmulPrecisionWasmGenome.parse({ ...common, precision: 'w4', group, kernel }) }]),
    ['f16', { space: wasmF16KernelSpace(problem.shape, caps), wrap: (kernel) => MatmulPrecisionWasmGenome.parse({ ...common, precision: 'f16', kernel }) }],
  ]);
  const keyOf = (g: Genome) => (g.precision === 'w4' ? `w4:${g.group}` : g.precision);
  const branchOf = (g: Genome) => branches.get(keyOf(g))!;
  const keys = [...branches.keys()];
  // One precision at a time, each equally likely: w4's three groups share w4's turn.
  const precisions: PrecisionGene[] = ['f32', 'i8', 'w4', 'f16'];
  const pickKey = (rng: Rng) => {
    const precision = rng.pick(precisions);
    return precision === 'w4' ? `w4:${rng.pick(GROUPS)}` : precision;
  };
  const seedOf = (key: string, rng: Rng): Genome => {
    const branch = branches.get(key)!;
    const seeds = branch.space.seeds?.() ?? [];
    return branch.wrap(seeds.length > 0 ? rng.pick(seeds) : branch.space.sample(rng));
  };

  function check(genome: Genome): string | null {
    const parsed = MatmulPrecisionWasmGenome.safeParse(genome);
    if (!parsed.success) return describeZodError(parsed.error);
    return branchOf(parsed.data).space.check(parsed.data.kernel);
  }

  return {
    name: 'matmul-precision/wasm',
    schema: MatmulPrecisionWasmGenome,
    sample: (rng) => {
      const branch = branches.get(pickKey(rng))!;
      return branch.wrap(branch.space.sample(rng));
    },
    mutate: (g, rng) => {
      if (rng.chance(0.2)) return seedOf(pickKey(rng), rng);
      const branch = branchOf(g);
      return branch.wrap(branch.space.mutate(g.kernel, rng));
    },
    crossover: (a, b, rng) => {
      if (keyOf(a) !== keyOf(b)) return rng.chance(0.5) ? a : b;
      const branch = branchOf(a);
      return branch.wrap(branch.space.crossover(a.kernel, b.kernel, rng));
    },
    check,
    repair: (g) => {
      if (MatmulPrecisionWasmGenome.safeParse(g).success === false) return null;
      const repaired = branchOf(g).space.repair(g.kernel);
      return repaired === null ? null : branchOf(g).wrap(repaired);
    },
    // w4 seeds in groups of 32 only: the other groups are the same kernels on coarser (no faster) scales.
    seeds: () => interleave(keys.filter((key) => key !== 'w4:64' && key !== 'w4:128').map((key) => (branches.get(key)!.space.seeds?.() ?? []).map(branches.get(key)!.wrap))),
    descriptor: (g) => [`precision:${g.precision}`, ...branchOf(g).space.descriptor(g.kernel)],
  };
}
