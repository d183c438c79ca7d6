import { z } from 'zod';
import type { SearchSpace } from '../../genome/space.ts';
import { parseOrThrow } from '../../lib/errors.ts';
import { Rng } from '../../lib/rng.ts';
import { readCheckpoint, RngStateSchema, SeenSchema, StrategyOptions } from './checkpoint.ts';
import { hashOf, SeenGenomes } from './seen.ts';
import type { Proposal, Scored, Strategy, StrategyState } from './strategy.ts';

const RandomState = z.object({ strategy: z.literal('random'), rng: RngStateSchema, seen: SeenSchema }).strict();

/** Uniform samples, never the same genome twice: the baseline every other strategy must beat. */
export class RandomSearch<G> implements Strategy<G> {
  readonly name = 'random';
  private readonly rng: Rng;
  private readonly seen: SeenGenomes<G>;

  constructor(space: SearchSpace<G>, options: StrategyOptions) {
    const { seed, state } = parseOrThrow(StrategyOptions, options, 'random strategy options');
    const restored = state && readCheckpoint(RandomState, state, 'random');
    this.rng = new Rng(restored ? restored.rng : seed);
    this.seen = new SeenGenomes(space, restored?.seen);
  }

  /** Fewer than n only when the space has nothing unseen left. */
  async ask(n: number): Promise<Proposal<G>[]> {
    const proposals: Proposal<G>[] = [];
    while (proposals.length < n) {
      const proposal = this.seen.sample(this.rng);
      if (proposal === null) break;
      proposals.push(proposal);
    }
    return proposals;
  }

  /** Genomes others evaluated count as seen too. */
  tell(results: readonly Scored<G>[]): void {
    for (const { genome } of results) this.seen.mark(hashOf(genome));
  }

  state(): StrategyState {
    return { strategy: 'random', rng: this.rng.state(), seen: this.seen.toJSON() };
  }
}
