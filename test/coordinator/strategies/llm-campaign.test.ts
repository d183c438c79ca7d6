import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGeneration, type GenerationContext } from '../../../coordinator/generation.ts';
import { llmCampaignSummary, listPrompts } from '../../../coordinator/store/llm.ts';
import { Store } from '../../../coordinator/store/store.ts';
import { GeneticSearch } from '../../../coordinator/strategies/genetic.ts';
import { llmRecords } from '../../../coordinator/llm-records.ts';
import { createLlmStrategy, innerState } from '../../../coordinator/strategies/llm-create.ts';
import type { StrategyState } from '../../../coordinator/strategies/strategy.ts';
import { EmbeddedTransport } from '../../../coordinator/transport/embedded.ts';
import { genomeHash, type Genome } from '../../../genome/genome.ts';
import type { MatmulProblem } from '../../../genome/ops/problem.ts';
import type { SearchSpace } from '../../../genome/space.ts';
import { wasmMatmulSpace } from '../../../genome/wasm/space.ts';
import { silentLogger } from '../../../lib/log.ts';
import type { DeviceClass } from '../../../protocol/device.ts';
import { Evaluator } from '../../../worker/evaluator.ts';
import { naiveMatmulWat } from '../../../testkit/naive-wat.ts';
import { startLlmServer, type LlmServer } from '../../../testkit/llm-server.ts';
import { scriptedModel } from '../../llm/model.ts';
import { ResultRouter } from '../../../coordinator/results.ts';

const problem: MatmulProblem = { op: 'matmul', shape: { m: 12, n: 16, k: 8 }, dtype: 'f32' };
const space = wasmMatmulSpace(problem, { relaxedSimd: false }) as unknown as SearchSpace<Genome>;

let server: LlmServer;
let transport: EmbeddedTransport;
let device: DeviceClass;
let dir: string;
beforeAll(async () => {
  server = await startLlmServer(scriptedModel(space, { sources: [naiveMatmulWat(problem)], badEvery: 3 }));
  const evaluator = await Evaluator.create({ threads: 2, name: 'w1' });
  transport = new EmbeddedTransport(evaluator, 2, true);
  [device] = await evaluator.deviceClasses();
  dir = mkdtempSync(join(tmpdir(), 'kevo-llm-campaign-'));
});
afterAll(async () => {
  await transport.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A campaign's machinery as coordinator/campaign.ts drives it: store, embedded transport, one generation at a time. */
function campaign(store: Store, state?: StrategyState) {
  const inner = new GeneticSearch(space, { seed: 5, population: 4, ...(innerState(state) ? { state: innerState(state) } : {}) });
  const strategy = createLlmStrategy(inner, space, {
    baseUrl: server.baseUrl,
    model: 'scripted',
    apiKey: 'k',
    maxRetries: 0,
    share: 0.5,
    promptGenerationSize: 2,
    records: llmRecords(store, 'c1'),
    problem,
    device,
    seed: 9,
    ...(state ? { state } : {}),
  });
  const ctx: GenerationContext = {
    campaignId: 'c1',
    problem,
    deviceClassId: device.id,
    budgets: { deadlineMs: 5_000, timingMs: 5, minSamples: 1, maxSamples: 3 },
    store,
    transport,
    results: new ResultRouter('c1', transport.results(), store, () => {}, silentLogger, () => transport.workers()),
    published: new Set(),
    log: silentLogger,
  };
  return { strategy, next: () => runGeneration(ctx, strategy, 4) };
}

describe('a campaign with LLM proposals, end to end over the scripted endpoint', () => {
  it('stores LLM and genetic genomes with lineage and results, and a crash-resume re-asks nothing', async () => {
    const path = join(dir, 'kevo.db');
    let store = Store.open(path);
    store.createCampaign({ id: 'c1', spec: {}, strategy: 'llm+genetic' });
    const run = campaign(store);
    for (let gen = 0; gen < 3; gen++) {
      await run.next();
      store.updateCampaign('c1', { checkpoint: run.strategy.state() });
    }
    const lastCheckpoint = store.campaign('c1')!.checkpoint as StrategyState;
    // one more generation, then a crash before its checkpoint is written
    const lost = await run.next();
    const requestsBeforeCrash = server.requests.length;
    store.close();

    store = Store.open(path);
    const operators = store.evaluations('c1').flatMap((e) => store.lineage(e.genomeHash).map((l) => l.operator));
    expect(operators).toEqual(expect.arrayContaining(['llm-edit', 'llm-source']));
    expect(operators.some((o) => ['sample', 'mutate', 'crossover'].includes(o))).toBe(true);
    expect(store.evaluations('c1').some((e) => e.status === 'ok')).toBe(true);
    expect(listPrompts(store).some((p) => p.generation > 0 && p.parents.length > 0)).toBe(true);
    expect(llmCampaignSummary(store, 'c1').usage.calls).toBe(requestsBeforeCrash);

    const resumed = campaign(store, lastCheckpoint);
    const again = await resumed.next();
    expect(server.requests.length).toBe(requestsBeforeCrash);
    expect(again!.scored.map((s) => genomeHash(s.genome))).toEqual(lost!.scored.map((s) => genomeHash(s.genome)));
    expect(again!.cached).toBe(again!.scored.length);
    store.close();
  });
});
