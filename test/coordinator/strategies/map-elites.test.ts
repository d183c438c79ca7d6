import { describe, expect, it } from 'vitest';
import { MapElitesSearch } from '../../../coordinator/strategies/map-elites.ts';
import { gridFitness, gridSpace, runCampaign, type GridGenome } from './grid.ts';

const key = (g: GridGenome) => gridSpace.descriptor(g).join(' ');

describe('map-elites strategy', () => {
  it('fills every descriptor with the best genome told for it', async () => {
    const strategy = new MapElitesSearch(gridSpace, { seed: 3, population: 16 });
    const proposals = await runCampaign(strategy, gridFitness, 120);
    const best = new Map<string, number>();
    for (const { genome } of proposals) {
      const f = gridFitness(genome);
      if (f !== null && f > (best.get(key(genome)) ?? -Infinity)) best.set(key(genome), f);
    }
    const archive = strategy.archive();
    expect(archive.map((s) => key(s.genome)).sort()).toEqual(['w:false x:0', 'w:false x:1', 'w:false x:2', 'w:true x:0', 'w:true x:1', 'w:true x:2']);
    for (const s of archive) expect(s.fitness).toBe(best.get(key(s.genome)));
  });

  it('samples `population` genomes first, then breeds from the archive', async () => {
    const strategy = new MapElitesSearch(gridSpace, { seed: 5, population: 12 });
    const proposals = await runCampaign(strategy, gridFitness, 60, 6);
    expect(proposals.slice(0, 12).every((p) => p.operator === 'sample')).toBe(true);
    expect(proposals.slice(12).filter((p) => p.operator !== 'sample').length).toBeGreaterThan(40);
  });

  it('never lets a failure into the archive', async () => {
    const strategy = new MapElitesSearch(gridSpace, { seed: 1, population: 4 });
    const proposals = await strategy.ask(20);
    strategy.tell(proposals.map((p) => ({ genome: p.genome, fitness: null })));
    strategy.tell(proposals.slice(0, 1).map((p) => ({ genome: p.genome, fitness: Number.NaN })));
    expect(strategy.archive()).toEqual([]);
  });
});
