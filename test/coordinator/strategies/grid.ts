import { z } from 'zod';
import type { Proposal, Strategy } from '../../../coordinator/strategies/strategy.ts';
import type { SearchSpace } from '../../../genome/space.ts';
import { Rng } from '../../../lib/rng.ts';

/**
 * A synthetic search space small enough to know everything about: four genes
 * on a grid, one constraint (x + y <= 13) that mutation and crossover may
 * break (so strategies must repair), and a fitness landscape with a single
 * known optimum on the constraint's edge and a region (z = 7) where every
 * "kernel" fails.
 */
export const GridGenome = z.object({ x: z.number().int().min(0).max(9), y: z.number().int().min(0).max(9), z: z.number().int().min(0).max(7), w: z.boolean() }).strict();
export type GridGenome = z.infer<typeof GridGenome>;

const top = { x: 9, y: 9, z: 7 } as const;
const LIMIT = 13;

export const optimum: GridGenome = { x: 7, y: 6, z: 3, w: true };

/** Each step away from the optimum costs at least 2; the ripple adds at most 1.5, so local optima exist but the optimum is unique. */
export function gridFitness(g: GridGenome): number | null {
  if (g.z === 7) return null;
  const ripple = ((g.x * 7 + g.y * 3 + g.z * 5) % 4) * 0.5;
  return 100 - 3 * Math.abs(g.x - 7) - 2 * Math.abs(g.y - 6) - 4 * Math.abs(g.z - 3) - (g.w ? 0 : 5) + ripple;
}

export const gridSpace: SearchSpace<GridGenome> = {
  name: 'test/grid',
  schema: GridGenome,
  sample(rng) {
    for (;;) {
      const g = { x: rng.int(0, 9), y: rng.int(0, 9), z: rng.int(0, 7), w: rng.chance(0.5) };
      if (this.check(g) === null) return g;
    }
  },
  mutate(g, rng) {
    const gene = rng.pick(['x', 'y', 'z', 'w'] as const);
    if (gene === 'w') return { ...g, w: !g.w };
    const step = rng.chance(0.7) ? g[gene] + rng.pick([-1, 1]) : rng.int(0, top[gene]);
    return { ...g, [gene]: Math.min(top[gene], Math.max(0, step)) };
  },
  crossover(a, b, rng) {
    const from = (gene: keyof GridGenome) => (rng.chance(0.5) ? a : b)[gene];
    return { x: from('x') as number, y: from('y') as number, z: from('z') as number, w: from('w') as boolean };
  },
  check: (g) => (g.x + g.y > LIMIT ? `x + y = ${g.x + g.y} exceeds ${LIMIT}` : null),
  repair: (g) => ({ ...g, y: Math.min(g.y, LIMIT - g.x) }),
  *enumerate() {
    for (let x = 0; x <= 9; x++)
      for (let y = 0; y <= 9; y++)
        for (let z = 0; z <= 7; z++) for (const w of [false, true]) yield { x, y, z, w };
  },
  descriptor: (g) => [`w:${g.w}`, `x:${Math.floor(g.x / 4)}`],
};

export const gridValidCount = [...gridSpace.enumerate!()].filter((g) => gridSpace.check(g) === null).length;

/**
 * Drives a strategy like a coordinator would: asks run ahead of tells by one
 * batch, and each batch's results come back shuffled and split in two.
 */
export async function runCampaign<G>(strategy: Strategy<G>, fitness: (g: G) => number | null, budget: number, batch = 8): Promise<Proposal<G>[]> {
  const order = new Rng(12345);
  const proposed: Proposal<G>[] = [];
  let ahead: Proposal<G>[] = [];
  while (proposed.length < budget) {
    const next = await strategy.ask(Math.min(batch, budget - proposed.length));
    if (next.length === 0 && ahead.length === 0) break;
    proposed.push(...next);
    const results = ahead.map((p) => ({ genome: p.genome, fitness: fitness(p.genome) }));
    for (let i = results.length - 1; i > 0; i--) {
      const j = order.int(0, i);
      [results[i], results[j]] = [results[j]!, results[i]!];
    }
    strategy.tell(results.slice(0, results.length >> 1));
    strategy.tell(results.slice(results.length >> 1));
    ahead = next;
  }
  strategy.tell(ahead.map((p) => ({ genome: p.genome, fitness: fitness(p.genome) })));
  return proposed;
}
