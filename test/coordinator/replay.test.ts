import { describe, expect, it } from 'vitest';
import type { MatmulProblem } from '../../genome/ops/matmul-problem.ts';
import type { MatmulWasmGenome } from '../../genome/wasm/genome.ts';
import { wasmMatmulSpace } from '../../genome/wasm/space.ts';
import { bestOf, evaluationsToReach, fractionAt, replay, summarizeTraces, tableSpace, type FitnessTable } from '../../coordinator/replay.ts';
import { hashOf } from '../../coordinator/strategies/seen.ts';
import { strategyNames } from '../../coordinator/strategies/index.ts';
import { Rng } from '../../lib/rng.ts';

const problem: MatmulProblem = { op: 'matmul', shape: { m: 32, n: 32, k: 32 }, dtype: 'f32' };
const space = wasmMatmulSpace(problem, { relaxedSimd: false });

/**
 * A SYNTHETIC table, not timings: fitness is a deterministic function of the
 * genome's tile (bigger tiles score higher, kUnroll 4 fails), so the replay's
 * bookkeeping can be checked exactly. Real timings are replayed in test/cli/replay.test.ts.
 */
function syntheticTable(genomes: readonly MatmulWasmGenome[]): FitnessTable<MatmulWasmGenome> {
  const unique = [...new Map(genomes.map((g) => [hashOf(g), g])).values()];
  return { genomes: unique, fitness: new Map(unique.map((g) => [hashOf(g), g.kUnroll === 4 ? null : (g.mr * g.nr) / 8])) };
}

const rng = new Rng(5);
const table = syntheticTable(Array.from({ length: 60 }, () => space.sample(rng)));

describe('replay', () => {
  it('counts a genome off the table as a failed evaluation that uses budget', async () => {
    // The full space, not the table's: nearly every proposal is one the table never saw.
    const tiny = syntheticTable(space.seeds!());
    const trace = await replay('random', space, tiny, { seed: 1, budget: 40, population: 8 });
    expect(trace).toHaveLength(40);
    expect(trace.at(-1)).toBe(bestOf(tiny));
    expect(tiny.genomes.length).toBeLessThan(40);
  });

  it('over the table space, finds only what the table holds, never more than its best, and never loses ground', async () => {
    for (const name of strategyNames) {
      const trace = await replay(name, tableSpace(space, table), table, { seed: 3, budget: 50, population: 8 });
      expect(trace).toHaveLength(50);
      expect(trace.every((f, i) => i === 0 || f >= trace[i - 1]!)).toBe(true);
      expect(Math.max(...trace)).toBeLessThanOrEqual(bestOf(table));
      expect([0, ...table.fitness.values()]).toContain(trace.at(-1));
    }
  });

  it('is a pure function of strategy, table and seed', async () => {
    const again = () => replay('genetic', tableSpace(space, table), table, { seed: 9, budget: 30, population: 6 });
    expect(await again()).toEqual(await again());
  });

  it('samples the table space from the table', () => {
    const onTable = tableSpace(space, table);
    const r = new Rng(1);
    for (let i = 0; i < 20; i++) expect(table.fitness.has(hashOf(onTable.sample(r)))).toBe(true);
  });

  it('summarizes traces as medians at budgets and evaluations to a fraction of the best', () => {
    const traces = [
      [0, 1, 2, 4],
      [1, 1, 3, 3],
      [0, 2, 2, 2],
    ];
    expect(fractionAt(traces[0]!, 2, 4)).toBe(0.25);
    expect(fractionAt(traces[0]!, 10, 4)).toBe(1);
    expect(evaluationsToReach(traces[1]!, 4, 0.75)).toBe(3);
    expect(evaluationsToReach(traces[2]!, 4, 0.75)).toBeNull();
    expect(summarizeTraces(traces, 4, [1, 4], 0.75)).toEqual({
      fractions: [
        { evaluations: 1, median: 0 },
        { evaluations: 4, median: 0.75 },
      ],
      evaluationsToReach: 4,
    });
  });
});
