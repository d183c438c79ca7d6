import { describe, expect, it } from 'vitest';
import { GeneticSearch } from '../../../coordinator/strategies/genetic.ts';
import { createStrategy } from '../../../coordinator/strategies/index.ts';
import { hashOf } from '../../../coordinator/strategies/seen.ts';
import { KevoError } from '../../../lib/errors.ts';
import { gridFitness, gridSpace, gridValidCount, optimum, runCampaign } from './grid.ts';

async function hits(name: 'genetic' | 'random', budget: number, seeds: number): Promise<number> {
  let found = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const proposals = await runCampaign(createStrategy(name, gridSpace, { seed, population: 16 }), gridFitness, budget);
    if (proposals.some((p) => hashOf(p.genome) === hashOf(optimum))) found++;
  }
  return found;
}

describe('genetic strategy', () => {
  it('finds the known optimum within a tenth of the space far more often than random', async () => {
    const budget = Math.round(gridValidCount / 10);
    const genetic = await hits('genetic', budget, 10);
    const random = await hits('random', budget, 10);
    expect(genetic).toBeGreaterThanOrEqual(8);
    expect(genetic).toBeGreaterThanOrEqual(random + 5);
  });

  it('keeps only successes in its archive, best first, at most one population', async () => {
    const strategy = new GeneticSearch(gridSpace, { seed: 1, population: 16 });
    await runCampaign(strategy, gridFitness, 150);
    const archive = strategy.archive();
    expect(archive.length).toBeGreaterThan(0);
    expect(archive.length).toBeLessThanOrEqual(16);
    const fitness = archive.map((s) => s.fitness);
    expect(fitness.every((f) => f !== null)).toBe(true);
    expect(fitness).toEqual([...fitness].sort((a, b) => b! - a!));
    for (const s of archive) expect(s.fitness).toBe(gridFitness(s.genome));
  });

  it('splits the population into islands and migrates the best between them', async () => {
    const strategy = new GeneticSearch(gridSpace, { seed: 9, population: 8, islands: 2, migrationInterval: 1 });
    // one generation: each island hears back about its 4 children, all failures on island 1
    const proposals = await strategy.ask(8);
    strategy.tell(proposals.map((p, i) => ({ genome: p.genome, fitness: i % 2 === 0 ? gridFitness(p.genome) ?? 1 : null })));
    const islands = (strategy.state() as { islands: { members: { genome: unknown }[] }[] }).islands;
    expect(islands).toHaveLength(2);
    expect(islands[1]!.members.map((m) => hashOf(m.genome))).toEqual([hashOf(islands[0]!.members[0]!.genome)]);
  });

  it('chooses two to four islands by population', () => {
    const islands = (population: number) => (new GeneticSearch(gridSpace, { seed: 1, population }).state().settings as { islands: number }).islands;
    expect([2, 4, 16, 24, 32, 200].map(islands)).toEqual([1, 2, 2, 3, 4, 4]);
  });

  it('rejects a bad option by name', () => {
    const bad = (options: Record<string, unknown>) => {
      try {
        new GeneticSearch(gridSpace, { seed: 1, population: 16, ...options });
      } catch (error) {
        expect(error).toBeInstanceOf(KevoError);
        expect((error as KevoError).code).toBe('BAD_INPUT');
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad({ crossoverRate: 1.5 })).toMatch(/crossoverRate: expected a number from 0 to 1/);
    expect(bad({ islands: 0 })).toMatch(/islands: expected an integer >= 1/);
    expect(bad({ population: 1 })).toMatch(/population: expected an integer from 2 to 100000/);
    expect(bad({ mutationRte: 0.5 })).toMatch(/mutationRte/);
  });

  it('rejects a checkpoint that is not a genetic one, naming what is wrong', async () => {
    const random = createStrategy('random', gridSpace, { seed: 1, population: 16 });
    expect(() => new GeneticSearch(gridSpace, { seed: 1, population: 16, state: random.state() })).toThrow(/invalid genetic strategy state: strategy/);
    const state = new GeneticSearch(gridSpace, { seed: 1, population: 16 }).state();
    const islands = [{ members: [{ genome: { x: 1 }, fitness: 2 }], offspring: [], generation: 0 }, { members: [], offspring: [], generation: 0 }];
    expect(() => new GeneticSearch(gridSpace, { seed: 1, population: 16, state: { ...state, islands } })).toThrow(/islands\.0\.members\.0\.genome: expected a test\/grid genome/);
  });
});
