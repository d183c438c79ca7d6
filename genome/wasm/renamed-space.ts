import type { z } from 'zod';
import { describeZodError } from '../../lib/errors.ts';
import type { SearchSpace } from '../space.ts';

/**
 * Another space's genes under other genomes' names (the f16 matmul family,
 * the convolutions' im2col + GEMM): every operation maps the genome `into`
 * the inner space, runs there and maps the answer `out`; `check` parses with
 * the outer schema first. Only enumerate is left out (the inner spaces are
 * too large to sweep).
 */
export function renamedSpace<I, O>(inner: SearchSpace<I>, outer: { name: string; schema: z.ZodType<O>; into: (g: O) => I; out: (g: I) => O }): SearchSpace<O> {
  const { into, out, schema } = outer;
  return {
    name: outer.name,
    schema,
    sample: (rng) => out(inner.sample(rng)),
    mutate: (g, rng) => out(inner.mutate(into(g), rng)),
    crossover: (a, b, rng) => out(inner.crossover(into(a), into(b), rng)),
    check: (g) => {
      const parsed = schema.safeParse(g);
      return parsed.success ? inner.check(into(parsed.data)) : describeZodError(parsed.error);
    },
    repair: (g) => {
      const repaired = inner.repair(into(g));
      return repaired && out(repaired);
    },
    seeds: () => inner.seeds?.().map(out) ?? [],
    descriptor: (g) => inner.descriptor(into(g)),
  };
}
