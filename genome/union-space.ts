import { z } from 'zod';
import { KevoError } from '../lib/errors.ts';
import type { Rng } from '../lib/rng.ts';
import type { Genome } from './genome.ts';
import { interleave, type SearchSpace } from './space.ts';

/**
 * One search over several algorithms' spaces (a problem's family and the
 * alternatives that join it): each genome belongs to the space whose schema
 * parses it, and mutates, repairs and describes itself there. Samples pick a
 * space at random; crossover between two algorithms' genomes has no genes in
 * common, so it returns one parent. Seeds of all, interleaved so a short
 * campaign times each algorithm; descriptors led by the genome's algorithm so
 * MAP-Elites keeps a cell per algorithm.
 */
export function unionSpace(own: SearchSpace<Genome>, alternatives: readonly SearchSpace<Genome>[]): SearchSpace<Genome> {
  const spaces = [own, ...alternatives];
  const schema = z.union(spaces.map((s) => s.schema) as [z.ZodType<Genome>, z.ZodType<Genome>, ...z.ZodType<Genome>[]]);
  const find = (g: Genome) => spaces.find((s) => s.schema.safeParse(g).success);
  const spaceOf = (g: Genome) => {
    const space = find(g);
    if (!space) throw new KevoError('BAD_INPUT', `${own.name}: not a genome of ${spaces.map((s) => s.name).join(' or ')}`);
    return space;
  };
  return {
    name: own.name,
    schema,
    sample: (rng: Rng) => rng.pick(spaces).sample(rng),
    mutate: (g, rng) => spaceOf(g).mutate(g, rng),
    crossover: (a, b, rng) => {
      const space = spaceOf(a);
      return space === spaceOf(b) ? space.crossover(a, b, rng) : rng.chance(0.5) ? a : b;
    },
    check: (g) => {
      const space = find(g);
      return space ? space.check(g) : `not a genome of ${spaces.map((s) => s.name).join(' or ')}`;
    },
    repair: (g) => find(g)?.repair(g) ?? null,
    seeds: () => interleave(spaces.map((s) => s.seeds?.() ?? [])),
    ...(spaces.every((s) => s.enumerate) ? { enumerate: () => spaces.flatMap((s) => [...s.enumerate!()]) } : {}),
    descriptor: (g) => [`family:${g.family}`, ...spaceOf(g).descriptor(g)],
  };
}
