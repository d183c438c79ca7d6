import type { z } from 'zod';
import { describeZodError } from '../lib/errors.ts';
import type { Rng } from '../lib/rng.ts';
import { interleave, type SearchSpace } from './space.ts';

/** A genome of a precision family: the precision gene and the genome of the kernel that computes at it. */
export interface PrecisionGenome {
  readonly precision: string;
  readonly kernel: unknown;
}

/**
 * One value of the precision gene (w4 has one per group): the space of the
 * kernel it wraps, and how a kernel genome of that space becomes a genome of
 * the precision family. `seeded` false keeps its seeds out of the family's
 * (w4's larger groups: one group's seeds already meet w4).
 */
export interface PrecisionBranch<G extends PrecisionGenome> {
  readonly key: string;
  readonly precision: G['precision'];
  readonly space: SearchSpace<unknown>;
  wrap(kernel: unknown): G;
  readonly seeded?: boolean;
}

/**
 * The precision gene over the spaces of the kernels each precision wraps
 * (genome/wasm/precision/, genome/webgpu/precision/). Mutation mostly stays
 * within a branch and now and then jumps to another's seed; crossover mixes
 * kernels of one branch and picks a parent otherwise. Samples pick a
 * precision first (a precision's groups share its turn). Seeds take turns
 * between branches, so a small budget meets every precision. A precision the
 * problem or adapter does not allow has no branch, and its genomes fail check.
 */
export function precisionSpace<G extends PrecisionGenome>(
  name: string,
  schema: z.ZodType<G>,
  branches: readonly PrecisionBranch<G>[],
  keyOf: (g: G) => string,
): SearchSpace<G> {
  const byKey = new Map(branches.map((b) => [b.key, b]));
  const precisions = [...new Set(branches.map((b) => b.precision))];
  const branchOf = (g: G) => byKey.get(keyOf(g));
  const pick = (rng: Rng) => {
    const precision = rng.pick(precisions);
    return rng.pick(branches.filter((b) => b.precision === precision));
  };
  const seedOf = (branch: PrecisionBranch<G>, rng: Rng): G => {
    const seeds = branch.space.seeds?.() ?? [];
    return branch.wrap(seeds.length > 0 ? rng.pick(seeds) : branch.space.sample(rng));
  };

  function check(genome: G): string | null {
    const parsed = schema.safeParse(genome);
    if (!parsed.success) return describeZodError(parsed.error);
    const branch = branchOf(parsed.data);
    if (!branch) return `precision ${keyOf(parsed.data)} is not offered for this problem on this device`;
    return branch.space.check(parsed.data.kernel);
  }

  return {
    name,
    schema,
    sample: (rng) => {
      const branch = pick(rng);
      return branch.wrap(branch.space.sample(rng));
    },
    mutate: (g, rng) => {
      const branch = branchOf(g);
      if (!branch || rng.chance(0.2)) return seedOf(pick(rng), rng);
      return branch.wrap(branch.space.mutate(g.kernel, rng));
    },
    crossover: (a, b, rng) => {
      const branch = branchOf(a);
      if (!branch || keyOf(a) !== keyOf(b)) return rng.chance(0.5) ? a : b;
      return branch.wrap(branch.space.crossover(a.kernel, b.kernel, rng));
    },
    check,
    repair: (g) => {
      const branch = schema.safeParse(g).success ? branchOf(g) : undefined;
      const repaired = branch?.space.repair(g.kernel) ?? null;
      return repaired === null ? null : branch!.wrap(repaired);
    },
    seeds: () => interleave(branches.filter((b) => b.seeded !== false).map((b) => (b.space.seeds?.() ?? []).map(b.wrap))),
    descriptor: (g) => [`precision:${g.precision}`, ...(branchOf(g)?.space.descriptor(g.kernel) ?? [])],
  };
}
