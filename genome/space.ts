import type { z } from 'zod';
import { describeZodError } from '../lib/errors.ts';
import type { Rng } from '../lib/rng.ts';

/**
 * The genes of one op on one backend for one problem on one device, with the
 * constraints between them. Strategies search through this and nothing else:
 * every genome a space returns parses under `schema` and passes `check`.
 */
export interface SearchSpace<G> {
  /** e.g. "matmul/wasm". */
  readonly name: string;
  readonly schema: z.ZodType<G>;
  sample(rng: Rng): G;
  mutate(genome: G, rng: Rng): G;
  crossover(a: G, b: G, rng: Rng): G;
  /** Why this genome breaks a constraint of this space, or null if it is fine. */
  check(genome: G): string | null;
  /** The nearest genome that passes `check`, or null when there is none worth trying. */
  repair(genome: G): G | null;
  /**
   * Known-good starting points (the hand-picked configurations our measurements
   * found), fitted to the problem: strategies propose them before random samples,
   * so a search starts no worse than a person would.
   */
  seeds?(): G[];
  /** Every genome of the space, when it is small enough to sweep (benchmarks, exhaustive search). */
  enumerate?(): Iterable<G>;
  /** Behaviour descriptors for MAP-Elites, e.g. ["f32-fma", "tile:large"]. */
  descriptor(genome: G): readonly string[];
}

/**
 * A space whose genomes are another space's under other labels (a wrapper
 * family, e.g. f16 storage around an f32 kernel, whose conversions have no
 * genes of their own): `outer` relabels an inner genome, `inner` recovers it.
 */
export function relabelledSpace<I, O>(space: SearchSpace<I>, labels: { name: string; schema: z.ZodType<O>; outer: (g: I) => O; inner: (g: O) => I }): SearchSpace<O> {
  const { schema, outer, inner } = labels;
  const enumerate = space.enumerate?.bind(space);
  return {
    name: labels.name,
    schema,
    sample: (rng) => outer(space.sample(rng)),
    mutate: (g, rng) => outer(space.mutate(inner(g), rng)),
    crossover: (a, b, rng) => outer(space.crossover(inner(a), inner(b), rng)),
    check: (g) => {
      const parsed = schema.safeParse(g);
      return parsed.success ? space.check(inner(parsed.data)) : describeZodError(parsed.error);
    },
    repair: (g) => {
      const repaired = space.repair(inner(g));
      return repaired && outer(repaired);
    },
    ...(space.seeds ? { seeds: () => space.seeds!().map(outer) } : {}),
    ...(enumerate ? { enumerate: function* () { for (const g of enumerate()) yield outer(g); } } : {}),
    descriptor: (g) => space.descriptor(inner(g)),
  };
}

/** a0, b0, a1, b1, ...: every list's first items before any list's later ones (seeds of several spaces, so a short campaign tries each). */
export function interleave<T>(lists: readonly (readonly T[])[]): T[] {
  const longest = Math.max(0, ...lists.map((l) => l.length));
  return Array.from({ length: longest }, (_, i) => lists.flatMap((l) => (i < l.length ? [l[i]!] : []))).flat();
}
