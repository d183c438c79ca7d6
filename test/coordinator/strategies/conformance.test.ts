import { describe, expect, it } from 'vitest';
import { createStrategy, strategyNames } from '../../../coordinator/strategies/index.ts';
import { hashOf } from '../../../coordinator/strategies/seen.ts';
import type { Proposal } from '../../../coordinator/strategies/strategy.ts';
import { gridFitness, gridSpace, gridValidCount, runCampaign, type GridGenome } from './grid.ts';

const hashes = (proposals: readonly Proposal<GridGenome>[]) => proposals.map((p) => hashOf(p.genome));

/** The contract every strategy keeps, checked the same way for each. */
describe.each(strategyNames)('%s strategy', (name) => {
  const make = (seed: number, state?: Record<string, unknown>) => createStrategy(name, gridSpace, { seed, population: 16, state });

  it('is reproducible by seed', async () => {
    const first = hashes(await runCampaign(make(7), gridFitness, 120));
    expect(hashes(await runCampaign(make(7), gridFitness, 120))).toEqual(first);
    expect(hashes(await runCampaign(make(8), gridFitness, 120))).not.toEqual(first);
  });

  it('resumed from a JSON checkpoint taken mid-campaign, continues exactly as the original', async () => {
    const original = make(3);
    await runCampaign(original, gridFitness, 60);
    // one batch asked and not told, as when a coordinator stops with jobs in flight
    const inFlight = await original.ask(5);
    const resumed = make(999, JSON.parse(JSON.stringify(original.state())));
    const results = inFlight.map((p) => ({ genome: p.genome, fitness: gridFitness(p.genome) }));
    original.tell(results);
    resumed.tell(results);
    const rest = await runCampaign(original, gridFitness, 80);
    expect(hashes(await runCampaign(resumed, gridFitness, 80))).toEqual(hashes(rest));
    expect(resumed.state()).toEqual(original.state());
  });

  it('never proposes a genome twice, and every proposal passes check', async () => {
    const proposals = await runCampaign(make(11), gridFitness, 400, 13);
    expect(proposals).toHaveLength(400);
    expect(new Set(hashes(proposals)).size).toBe(proposals.length);
    for (const p of proposals) {
      expect(gridSpace.schema.parse(p.genome)).toEqual(p.genome);
      expect(gridSpace.check(p.genome)).toBeNull();
    }
  });

  it('names parents it has seen, and the operator that made each proposal', async () => {
    const proposals = await runCampaign(make(5), gridFitness, 200);
    const before = new Set<string>();
    for (const p of proposals) {
      for (const parent of p.parents) expect(before.has(parent)).toBe(true);
      expect(p.operator).toBe(p.parents.length === 0 ? 'sample' : p.parents.length === 1 ? 'mutate' : 'crossover');
      before.add(hashOf(p.genome));
    }
  });

  it('sweeps the whole space to the end, then proposes nothing', async () => {
    const strategy = make(2);
    const proposals = await runCampaign(strategy, gridFitness, gridValidCount + 50, 64);
    expect(proposals).toHaveLength(gridValidCount);
    expect(new Set(hashes(proposals)).size).toBe(gridValidCount);
    expect(await strategy.ask(5)).toEqual([]);
  });

  it('counts genomes told by someone else as seen, and ignores repeats', async () => {
    const strategy = make(4);
    const foreign = [...gridSpace.enumerate!()].filter((g) => gridSpace.check(g) === null).slice(0, gridValidCount - 3);
    const scored = foreign.map((genome) => ({ genome, fitness: gridFitness(genome) }));
    strategy.tell(scored);
    strategy.tell(scored.slice(0, 10));
    const left = await strategy.ask(10);
    expect(left).toHaveLength(3);
    expect(new Set(hashes(left)).size).toBe(3);
    for (const h of hashes(left)) expect(foreign.map(hashOf)).not.toContain(h);
  });
});
