import type { SearchSpace } from '../../genome/space.ts';
import type { Rng } from '../../lib/rng.ts';
import { hashOf } from './seen.ts';
import type { Proposal, Scored } from './strategy.ts';

export interface BreedingRates {
  /** Chance a child is the crossover of two parents rather than a copy of one. */
  readonly crossoverRate: number;
  /** Chance a crossover child is also mutated (a copy is always mutated: a clone teaches nothing). */
  readonly mutationRate: number;
}

/** One child of parents chosen by `pick` (tournament, uniform over an archive...). */
export function breed<G>(space: SearchSpace<G>, rng: Rng, pick: () => Scored<G>, rates: BreedingRates): Proposal<G> {
  const a = pick();
  if (rng.chance(rates.crossoverRate)) {
    const b = pick();
    const child = space.crossover(a.genome, b.genome, rng);
    const genome = rng.chance(rates.mutationRate) ? space.mutate(child, rng) : child;
    return { genome, parents: [hashOf(a.genome), hashOf(b.genome)], operator: 'crossover' };
  }
  return { genome: space.mutate(a.genome, rng), parents: [hashOf(a.genome)], operator: 'mutate' };
}

/** A failed candidate (null, or a fitness that is not a finite number) ranks below every success. */
export function scoreOf(fitness: number | null): number | null {
  return typeof fitness === 'number' && Number.isFinite(fitness) ? fitness : null;
}

/** Best first; failures last; ties keep their order, so runs stay reproducible. */
export function byFitness<G>(a: Scored<G>, b: Scored<G>): number {
  return (b.fitness ?? -Infinity) - (a.fitness ?? -Infinity);
}
