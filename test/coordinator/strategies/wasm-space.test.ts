import { describe, expect, it } from 'vitest';
import { createStrategy, strategyNames } from '../../../coordinator/strategies/index.ts';
import { hashOf } from '../../../coordinator/strategies/seen.ts';
import type { MatmulProblem } from '../../../genome/ops/matmul-problem.ts';
import { MatmulWasmGenome } from '../../../genome/wasm/genome.ts';
import { wasmMatmulSpace } from '../../../genome/wasm/space.ts';
import { runCampaign } from './grid.ts';

const problem: MatmulProblem = { op: 'matmul', shape: { m: 96, n: 80, k: 72 }, dtype: 'f32' };

/** A stand-in landscape (no kernels run here): bigger register tiles and FMA win, some genomes "fail". */
function fitness(g: MatmulWasmGenome): number | null {
  if (g.packA && g.kUnroll === 4) return null;
  return g.mr * g.nr * (g.fma ? 1.3 : 1) + (g.packB ? 2 : 0) - Math.abs(g.kc - 64) / 32;
}

describe.each(strategyNames)('%s strategy on the WASM matmul space', (name) => {
  it.each([true, false])('proposes only valid, distinct genomes over several generations (relaxed SIMD %s)', async (relaxedSimd) => {
    const space = wasmMatmulSpace(problem, { relaxedSimd });
    const proposals = await runCampaign(createStrategy(name, space, { seed: 1, population: 16 }), fitness, 160);
    expect(proposals).toHaveLength(160);
    expect(new Set(proposals.map((p) => hashOf(p.genome))).size).toBe(160);
    for (const { genome } of proposals) {
      expect(MatmulWasmGenome.parse(genome)).toEqual(genome);
      expect(space.check(genome)).toBeNull();
      if (!relaxedSimd) expect(genome.fma).toBe(false);
    }
    // every A broadcast gets tried, splat written as the absent gene
    expect(new Set(proposals.map((p) => p.genome.aBroadcast))).toEqual(new Set([undefined, 'shuffle', 'k-shuffle']));
    if (name !== 'random') expect(proposals.some((p) => p.operator !== 'sample' && p.operator !== 'seed')).toBe(true);
  });

  it('starts from the space\'s hand-picked seeds, once each', async () => {
    const space = wasmMatmulSpace(problem, { relaxedSimd: true });
    const seeds = space.seeds!();
    expect(seeds.length).toBe(6);
    const proposals = await createStrategy(name, space, { seed: 3, population: 8 }).ask(8);
    expect(proposals.slice(0, seeds.length).map((p) => [p.operator, p.genome])).toEqual(seeds.map((g) => ['seed', g]));
    expect(proposals.slice(seeds.length).every((p) => p.operator !== 'seed')).toBe(true);
  });
});
