import { describe, expect, it } from 'vitest';
import { genomeHash } from '../../genome/genome.ts';
import { LlmStore } from '../../coordinator/store/llm.ts';
import { kernelPage } from '../../serve/kernel-page.ts';
import { job, okResult, problem64, wasmGenome } from '../coordinator/store/results.ts';
import { useTempStore } from '../coordinator/store/temp-store.ts';

const t = useTempStore();

describe('a kernel page', () => {
  it('walks the lineage up to the seeds, each genome once, with the operator that made each step, and shows the LLM review', () => {
    t.store.createCampaign({ id: 'c1', spec: {}, strategy: 'genetic' });
    const [seedA, seedB, child, grandchild] = [wasmGenome(1), wasmGenome(2), wasmGenome(3), wasmGenome(4)];
    const a = t.store.recordGenome({ genome: seedA, campaignId: 'c1', parents: [], operator: 'sample' });
    const b = t.store.recordGenome({ genome: seedB, campaignId: 'c1', parents: [], operator: 'seed' });
    const c = t.store.recordGenome({ genome: child, campaignId: 'c1', parents: [a], operator: 'mutate' });
    // Both parents share seed a: it is listed once.
    const d = t.store.recordGenome({ genome: grandchild, campaignId: 'c1', parents: [c, a], operator: 'crossover' });
    t.store.ingest(okResult(job('j1', 'c1', grandchild, problem64), { medianMs: 1 }));
    new LlmStore(t.store).recordReview('c1', d, { verdict: 'pass', reasons: ['bounds checked'] }, { gate: false });
    const kernelId = t.store.evaluations('c1')[0]!.kernelId!;

    const page = kernelPage(t.store, kernelId.slice(0, 8));
    expect(page.id).toBe(kernelId);
    expect(page.lineage.map((s) => [s.hash, s.operator, s.parents])).toEqual([
      [d, 'crossover', [c, a]],
      [c, 'mutate', [a]],
      [a, 'sample', []],
    ]);
    expect(page.lineage[0]!.genome).toEqual(grandchild);
    expect(genomeHash(page.lineage[2]!.genome!)).toBe(a);
    expect(page.lineage.some((s) => s.hash === b)).toBe(false);
    expect(page.reviews).toMatchObject([{ campaignId: 'c1', verdict: 'pass', reasons: ['bounds checked'], gate: false }]);
  });

  it('shows a genome no campaign recorded as made by an unknown operator, and stops there', () => {
    t.store.createCampaign({ id: 'c1', spec: {}, strategy: 'random' });
    t.store.ingest(okResult(job('j1', 'c1', wasmGenome(2), problem64), { medianMs: 1 }));
    const page = kernelPage(t.store, t.store.evaluations('c1')[0]!.kernelId!);
    expect(page.lineage).toEqual([{ hash: genomeHash(wasmGenome(2)), genome: wasmGenome(2), operator: undefined, parents: [] }]);
    expect(page.reviews).toEqual([]);
  });
});
