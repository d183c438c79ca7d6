import { z } from 'zod';
import type { SearchSpace } from '../../genome/space.ts';
import { parseOrThrow } from '../../lib/errors.ts';
import { Rng } from '../../lib/rng.ts';
import { breed, byFitness, scoreOf, type BreedingRates } from './breed.ts';
import { readCheckpoint, RngStateSchema, scoredSchema, SeenSchema, StrategyOptions } from './checkpoint.ts';
import { hashOf, SeenGenomes } from './seen.ts';
import type { ArchiveStrategy, Proposal, Scored, StrategyState } from './strategy.ts';

const rates: BreedingRates = { crossoverRate: 0.3, mutationRate: 0.5 };

function stateSchema<G>(space: SearchSpace<G>) {
  return z
    .object({
      strategy: z.literal('map-elites'),
      rng: RngStateSchema,
      seen: SeenSchema,
      /** Random samples to propose before breeding from the archive. */
      initialSamples: z.number().int().min(0),
      proposed: z.number().int().min(0),
      /** One elite per behaviour descriptor, in the order the cells were found. */
      cells: z.array(z.object({ descriptor: z.array(z.string()), elite: scoredSchema(space) }).strict()),
    })
    .strict();
}

interface Cell<G> {
  readonly descriptor: readonly string[];
  elite: Scored<G>;
}

/**
 * MAP-Elites: the best genome found for each behaviour descriptor of the
 * space (precision x tile class, say), so the search keeps good kernels of
 * every kind instead of converging on one. Starts from `population` random
 * samples, then mutates and crosses elites picked uniformly over the cells.
 */
export class MapElitesSearch<G> implements ArchiveStrategy<G> {
  readonly name = 'map-elites';
  private readonly rng: Rng;
  private readonly seen: SeenGenomes<G>;
  private readonly initialSamples: number;
  private proposed: number;
  private readonly cells: Map<string, Cell<G>>;

  constructor(
    private readonly space: SearchSpace<G>,
    options: StrategyOptions,
  ) {
    const { seed, population, state } = parseOrThrow(StrategyOptions, options, 'map-elites strategy options');
    const restored = state && readCheckpoint(stateSchema(space), state, 'map-elites');
    this.rng = new Rng(restored ? restored.rng : seed);
    this.seen = new SeenGenomes(space, restored?.seen);
    this.initialSamples = restored ? restored.initialSamples : population;
    this.proposed = restored ? restored.proposed : 0;
    this.cells = new Map((restored?.cells ?? []).map((c) => [cellKey(c.descriptor), { ...c }]));
  }

  /** Fewer than n only when the space has nothing unseen left. */
  async ask(n: number): Promise<Proposal<G>[]> {
    const proposals: Proposal<G>[] = [];
    while (proposals.length < n) {
      const proposal = this.propose();
      if (proposal === null) break;
      this.proposed++;
      proposals.push(proposal);
    }
    return proposals;
  }

  tell(results: readonly Scored<G>[]): void {
    for (const { genome, fitness } of results) {
      this.seen.mark(hashOf(genome));
      const score = scoreOf(fitness);
      if (score === null) continue;
      const descriptor = this.space.descriptor(genome);
      const key = cellKey(descriptor);
      const cell = this.cells.get(key);
      if (!cell) this.cells.set(key, { descriptor: [...descriptor], elite: { genome, fitness: score } });
      else if (score > cell.elite.fitness!) cell.elite = { genome, fitness: score };
    }
  }

  /** One elite per descriptor, best first. */
  archive(): readonly Scored<G>[] {
    return [...this.cells.values()].map((c) => c.elite).sort(byFitness);
  }

  state(): StrategyState {
    return {
      strategy: 'map-elites',
      rng: this.rng.state(),
      seen: this.seen.toJSON(),
      initialSamples: this.initialSamples,
      proposed: this.proposed,
      cells: [...this.cells.values()].map((c) => ({ descriptor: [...c.descriptor], elite: c.elite })),
    };
  }

  private propose(): Proposal<G> | null {
    if (this.proposed >= this.initialSamples && this.cells.size > 0) {
      const elites = [...this.cells.values()].map((c) => c.elite);
      const child = this.seen.draw(() => breed(this.space, this.rng, () => this.rng.pick(elites), rates));
      if (child !== null) return child;
    }
    return this.seen.sample(this.rng);
  }
}

function cellKey(descriptor: readonly string[]): string {
  return JSON.stringify(descriptor);
}
