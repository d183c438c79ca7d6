import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaign, runCampaign, type Progress } from '../../coordinator/campaign.ts';
import { parseSpec, specProblems } from '../../coordinator/spec.ts';
import { Store } from '../../coordinator/store/store.ts';
import { EmbeddedTransport } from '../../coordinator/transport/embedded.ts';
import { silentLogger } from '../../lib/log.ts';
import { Evaluator } from '../../worker/evaluator.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-campaign-'));
let evaluator: Evaluator;

beforeAll(async () => {
  evaluator = await Evaluator.create({ threads: 2, backends: ['wasm'], relaxedSimd: true, name: 'test' });
});
afterAll(async () => {
  await evaluator.close();
});

const spec = (db: string, extra: Record<string, unknown> = {}) =>
  parseSpec({
    problems: [{ op: 'matmul', shape: '24x20x12' }],
    budget: { evaluations: 8 },
    population: 4,
    seed: 3,
    db,
    timing: { timingMs: 30, minSamples: 3, maxSamples: 20 },
    // No promotion gate: test/coordinator/promotion.test.ts has it; here it would re-time after every run.
    promote: 0,
    ...extra,
  });

async function run(store: Store, campaignId: string, signal?: AbortSignal, onProgress?: (p: Progress) => void) {
  const transport = new EmbeddedTransport(evaluator, 2);
  try {
    return await runCampaign(campaignId, { store, transport, log: silentLogger, signal, onProgress });
  } finally {
    await transport.close();
  }
}

describe('runCampaign (embedded)', () => {
  it('evaluates the budget once each, then a seeded re-run answers everything from the store', async () => {
    const store = Store.open(join(dir, 'rerun.db'));
    const reports: Progress[] = [];
    const first = await run(store, createCampaign(store, spec('x')), undefined, (p) => reports.push(p));
    expect(first).toMatchObject({ status: 'done', cached: 0 });
    // The progress line's best is the store's best: one evaluation's speedup with that same evaluation's GFLOP/s.
    const [best] = store.best(specProblems(spec('x'))[0]!, { limit: 1 });
    expect(reports.at(-1)).toMatchObject({ bestSpeedup: best!.speedup, bestGflops: best!.gflops });
    const stored = store.evaluations(first.campaignId);
    expect(first.evaluations).toBe(stored.length);
    expect(new Set(stored.map((e) => e.genomeHash)).size).toBe(stored.length);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.length).toBeLessThanOrEqual(8);
    expect(stored.some((e) => e.status === 'ok')).toBe(true);

    const second = await run(store, createCampaign(store, spec('x')));
    expect(second).toMatchObject({ status: 'done', evaluations: 0, cached: 8 });
    expect(store.evaluations(second.campaignId)).toEqual([]);
    store.close();
  });

  it('stops on abort and resumes without repeating finished evaluations', async () => {
    const store = Store.open(join(dir, 'resume.db'));
    const id = createCampaign(store, spec('x', { budget: { evaluations: 12 } }));
    const abort = new AbortController();
    const stopped = await run(store, id, abort.signal, (p) => {
      if (p.asked >= 4) abort.abort(new Error('test stop'));
    });
    expect(stopped.status).toBe('stopped');
    expect(store.campaign(id)!.status).toBe('stopped');
    const before = store.evaluations(id).length;
    expect(before).toBeGreaterThan(0);

    const resumed = await run(store, id);
    expect(resumed.status).toBe('done');
    const all = store.evaluations(id);
    expect(new Set(all.map((e) => e.jobId)).size).toBe(all.length);
    expect(new Set(all.map((e) => e.genomeHash)).size).toBe(all.length);
    expect(all.length).toBe(before + resumed.evaluations);
    expect(store.pendingJobs(id)).toEqual([]);
    store.close();
  });
});
