import { z } from 'zod';
import type { SearchSpace } from '../../genome/space.ts';
import { KevoError, parseOrThrow } from '../../lib/errors.ts';
import { Rng } from '../../lib/rng.ts';
import { breed, byFitness, scoreOf } from './breed.ts';
import { readCheckpoint, RngStateSchema, scoredSchema, SeenSchema, StrategyOptions } from './checkpoint.ts';
import { distinct, migrate, nextGeneration, tournament, type Island } from './islands.ts';
import { hashOf, SeenGenomes } from './seen.ts';
import type { ArchiveStrategy, Proposal, Scored, StrategyState } from './strategy.ts';

const rate = (name: string) =>
  z.number({ error: `${name}: expected a number from 0 to 1` }).min(0, { error: `${name}: expected a number from 0 to 1` }).max(1, { error: `${name}: expected a number from 0 to 1` });
const count = (name: string, min: number) =>
  z.number({ error: `${name}: expected an integer >= ${min}` }).int({ error: `${name}: expected an integer >= ${min}` }).min(min, { error: `${name}: expected an integer >= ${min}` });

export const GeneticOptions = StrategyOptions.extend({
  islands: count('islands', 1).optional(),
  elites: count('elites', 0).optional(),
  tournament: count('tournament', 1).optional(),
  crossoverRate: rate('crossoverRate').optional(),
  mutationRate: rate('mutationRate').optional(),
  /** Generations between migrations of an island's best to the next island. */
  migrationInterval: count('migrationInterval', 1).optional(),
}).strict();
export type GeneticOptions = z.input<typeof GeneticOptions>;

const Settings = z
  .object({
    islands: z.number().int().min(1),
    islandSize: z.number().int().min(1),
    elites: z.number().int().min(0),
    tournament: z.number().int().min(1),
    crossoverRate: z.number().min(0).max(1),
    mutationRate: z.number().min(0).max(1),
    migrationInterval: z.number().int().min(1),
  })
  .strict();
type Settings = z.infer<typeof Settings>;

function stateSchema<G>(space: SearchSpace<G>) {
  const scored = z.array(scoredSchema(space));
  return z
    .object({
      strategy: z.literal('genetic'),
      settings: Settings,
      rng: RngStateSchema,
      seen: SeenSchema,
      cursor: z.number().int().min(0),
      /** Proposals not told yet, with the island that asked for them. */
      pending: z.array(z.tuple([z.string(), z.number().int().min(0)])),
      islands: z.array(z.object({ members: scored, offspring: scored, generation: z.number().int().min(0) }).strict()).min(1),
    })
    .strict();
}

/** Two to four islands of at least two members each, more as the population grows. */
function settingsFor(options: z.infer<typeof GeneticOptions>): Settings {
  const islands = options.islands ?? Math.max(1, Math.min(4, Math.max(2, Math.floor(options.population / 8)), Math.floor(options.population / 2)));
  const islandSize = Math.max(1, Math.ceil(options.population / islands));
  return {
    islands,
    islandSize,
    elites: Math.min(islandSize, options.elites ?? Math.max(1, Math.round(islandSize / 10))),
    tournament: options.tournament ?? 3,
    crossoverRate: options.crossoverRate ?? 0.5,
    mutationRate: options.mutationRate ?? 0.5,
    migrationInterval: options.migrationInterval ?? 3,
  };
}

/**
 * A generational genetic search on islands: tournament selection, elitism,
 * crossover and mutation, and the best of each island migrating to the next
 * every few generations. Asks and tells need not match up: an island moves to
 * its next generation once it has heard back about `islandSize` of its
 * children, in whatever order and batches they come.
 */
export class GeneticSearch<G> implements ArchiveStrategy<G> {
  readonly name = 'genetic';
  private readonly settings: Settings;
  private readonly rng: Rng;
  private readonly seen: SeenGenomes<G>;
  private readonly islands: Island<G>[];
  private readonly pending: Map<string, number>;
  private cursor: number;

  constructor(
    private readonly space: SearchSpace<G>,
    options: GeneticOptions,
  ) {
    const parsed = parseOrThrow(GeneticOptions, options, 'genetic strategy options');
    if (parsed.state) {
      const restored = readCheckpoint(stateSchema(space), parsed.state, 'genetic');
      if (restored.islands.length !== restored.settings.islands || restored.pending.some(([, i]) => i >= restored.islands.length)) {
        throw new KevoError('BAD_INPUT', 'invalid genetic strategy state: islands do not match settings.islands');
      }
      this.settings = restored.settings;
      this.rng = new Rng(restored.rng);
      this.seen = new SeenGenomes(space, restored.seen);
      this.islands = restored.islands.map((i) => ({ ...i, members: [...i.members], offspring: [...i.offspring] }));
      this.pending = new Map(restored.pending);
      this.cursor = restored.cursor % restored.settings.islands;
    } else {
      this.settings = settingsFor(parsed);
      this.rng = new Rng(parsed.seed);
      this.seen = new SeenGenomes(space);
      this.islands = Array.from({ length: this.settings.islands }, () => ({ members: [], offspring: [], generation: 0 }));
      this.pending = new Map();
      this.cursor = 0;
    }
  }

  /** Islands take turns; fewer than n only when the space has nothing unseen left. */
  async ask(n: number): Promise<Proposal<G>[]> {
    const proposals: Proposal<G>[] = [];
    while (proposals.length < n) {
      const island = this.cursor;
      const proposal = this.propose(this.islands[island]!);
      if (proposal === null) break;
      this.cursor = (island + 1) % this.islands.length;
      this.pending.set(hashOf(proposal.genome), island);
      proposals.push(proposal);
    }
    return proposals;
  }

  /**
   * Results of genomes it did not propose (another strategy's, or from before
   * a resume) join the island that has heard least; repeats are ignored.
   */
  tell(results: readonly Scored<G>[]): void {
    for (const { genome, fitness } of results) {
      const hash = hashOf(genome);
      let island = this.pending.get(hash);
      if (island !== undefined) this.pending.delete(hash);
      else if (this.seen.mark(hash)) island = this.quietestIsland();
      else continue;
      const target = this.islands[island]!;
      target.offspring.push({ genome, fitness: scoreOf(fitness) });
      if (target.offspring.length >= this.settings.islandSize) this.advance(island);
    }
  }

  /** Every island's members, best first. */
  archive(): readonly Scored<G>[] {
    return distinct(this.islands.flatMap((i) => i.members)).sort(byFitness);
  }

  state(): StrategyState {
    return {
      strategy: 'genetic',
      settings: this.settings,
      rng: this.rng.state(),
      seen: this.seen.toJSON(),
      cursor: this.cursor,
      pending: [...this.pending],
      islands: this.islands.map((i) => ({ members: [...i.members], offspring: [...i.offspring], generation: i.generation })),
    };
  }

  /** Random samples until the island has members to breed from. */
  private propose(island: Island<G>): Proposal<G> | null {
    const { members } = island;
    if (members.length > 0) {
      const child = this.seen.draw(() => breed(this.space, this.rng, () => tournament(members, this.settings.tournament, this.rng), this.settings));
      if (child !== null) return child;
    }
    return this.seen.sample(this.rng);
  }

  private advance(index: number): void {
    const { islandSize, elites, migrationInterval } = this.settings;
    const island = nextGeneration(this.islands[index]!, islandSize, elites);
    this.islands[index] = island;
    if (this.islands.length > 1 && island.generation % migrationInterval === 0) {
      migrate(island, this.islands[(index + 1) % this.islands.length]!, islandSize);
    }
  }

  private quietestIsland(): number {
    let quietest = 0;
    this.islands.forEach((island, i) => {
      if (island.offspring.length < this.islands[quietest]!.offspring.length) quietest = i;
    });
    return quietest;
  }
}
