import type { Rng } from '../../lib/rng.ts';
import { byFitness } from './breed.ts';
import { hashOf } from './seen.ts';
import type { Scored } from './strategy.ts';

/**
 * One sub-population of the genetic search. Islands evolve apart, so one
 * lucky region does not take over the whole search, and trade their best now
 * and then. `members` are successes only, best first; `offspring` collects
 * this generation's results (failures included) until there are enough.
 */
export interface Island<G> {
  members: Scored<G>[];
  offspring: Scored<G>[];
  generation: number;
}

/** The best of `size` members drawn with replacement. */
export function tournament<G>(members: readonly Scored<G>[], size: number, rng: Rng): Scored<G> {
  let best = rng.pick(members);
  for (let i = 1; i < size; i++) {
    const contender = rng.pick(members);
    if (byFitness(contender, best) < 0) best = contender;
  }
  return best;
}

/**
 * The next generation: the `elites` best members survive, the successful
 * offspring take the other places best first, and old members fill what
 * failures left empty.
 */
export function nextGeneration<G>(island: Island<G>, size: number, elites: number): Island<G> {
  const children = island.offspring.filter((s) => s.fitness !== null).sort(byFitness);
  const candidates = [...island.members.slice(0, elites), ...children, ...island.members.slice(elites)];
  return { members: distinct(candidates).slice(0, size).sort(byFitness), offspring: [], generation: island.generation + 1 };
}

/** The donor's best joins the receiver in place of its worst, if better and not already there. */
export function migrate<G>(donor: Island<G>, receiver: Island<G>, size: number): void {
  const migrant = donor.members[0];
  if (!migrant) return;
  const hash = hashOf(migrant.genome);
  if (receiver.members.some((m) => hashOf(m.genome) === hash)) return;
  if (receiver.members.length < size) receiver.members.push(migrant);
  else if (byFitness(migrant, receiver.members[receiver.members.length - 1]!) < 0) receiver.members[receiver.members.length - 1] = migrant;
  else return;
  receiver.members.sort(byFitness);
}

export function distinct<G>(scored: readonly Scored<G>[]): Scored<G>[] {
  const seen = new Set<string>();
  return scored.filter((s) => {
    const hash = hashOf(s.genome);
    if (seen.has(hash)) return false;
    seen.add(hash);
    return true;
  });
}
