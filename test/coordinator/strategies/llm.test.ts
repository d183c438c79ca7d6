import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listPrompts, llmCampaignSummary, LlmStore, showPrompt } from '../../../coordinator/store/llm.ts';
import { Store } from '../../../coordinator/store/store.ts';
import { GeneticSearch } from '../../../coordinator/strategies/genetic.ts';
import { llmRecords } from '../../../coordinator/llm-records.ts';
import { createLlmStrategy, innerState } from '../../../coordinator/strategies/llm-create.ts';
import type { Proposal, StrategyState } from '../../../coordinator/strategies/strategy.ts';
import type { Genome } from '../../../genome/genome.ts';
import type { MatmulProblem } from '../../../genome/ops/problem.ts';
import type { SearchSpace } from '../../../genome/space.ts';
import { wasmMatmulSpace } from '../../../genome/wasm/space.ts';
import { canonicalHash } from '../../../lib/hash.ts';
import type { DeviceClass } from '../../../protocol/device.ts';
import { WasmPool } from '../../../worker/pool.ts';
import { naiveMatmulWat } from '../../../testkit/naive-wat.ts';
import { startLlmServer, type LlmServer } from '../../../testkit/llm-server.ts';
import { evaluate, scored } from '../../../testkit/llm-evaluate.ts';
import { scriptedModel } from '../../llm/model.ts';

const problem: MatmulProblem = { op: 'matmul', shape: { m: 12, n: 16, k: 8 }, dtype: 'f32' };
const space = wasmMatmulSpace(problem, { relaxedSimd: false }) as unknown as SearchSpace<Genome>;
const loops = naiveMatmulWat(problem, { afterLoops: '(loop $forever (br $forever))' });

let server: LlmServer;
let pool: WasmPool;
let device: DeviceClass;
beforeAll(async () => {
  server = await startLlmServer(scriptedModel(space, { sources: [naiveMatmulWat(problem), loops], badEvery: 2, review: (s) => (s.includes('$forever') ? 'fail' : 'pass') }));
  pool = new WasmPool({ threads: 2 });
  device = await pool.deviceClass();
});
afterAll(async () => {
  await server.close();
  await pool.close();
});

function strategyFor(store: Store, state?: StrategyState, over: Record<string, unknown> = {}) {
  const inner = new GeneticSearch(space, { seed: 3, population: 4, ...(innerState(state) ? { state: innerState(state) } : {}) });
  return createLlmStrategy(inner, space, {
    baseUrl: server.baseUrl,
    model: 'scripted',
    apiKey: 'test-key',
    maxRetries: 0,
    share: 0.5,
    promptGenerationSize: 2,
    review: 'gate',
    records: llmRecords(store, 'c1'),
    problem,
    device,
    seed: 7,
    ...(state ? { state } : {}),
    ...over,
  });
}

async function generation(strategy: ReturnType<typeof strategyFor>): Promise<Proposal<Genome>[]> {
  const proposals = await strategy.ask(4);
  const results = await evaluate(pool, problem, proposals.map((p) => p.genome));
  strategy.tell(results.map(scored));
  return proposals;
}

describe('LLM strategy over the scripted endpoint and the real worker pool', () => {
  it('mixes LLM and genetic proposals, evolves prompts with lineage and scores, gates sources on review, and resumes from the cache', async () => {
    const store = Store.open(':memory:');
    store.createCampaign({ id: 'c1', spec: {}, strategy: 'llm+genetic' });
    const strategy = strategyFor(store);
    const operators = new Set<string>();
    let checkpoint: StrategyState | undefined;
    let requestsAtCheckpoint = 0;
    let afterCheckpoint: Proposal<Genome>[] = [];
    for (let gen = 0; gen < 5; gen++) {
      if (gen === 3) {
        checkpoint = structuredClone(strategy.state());
        requestsAtCheckpoint = server.requests.length;
      }
      const proposals = await generation(strategy);
      if (gen === 3) afterCheckpoint = proposals;
      for (const p of proposals) operators.add(p.operator);
    }

    expect(operators).toContain('llm-edit');
    expect(operators).toContain('llm-source');
    expect([...operators].some((o) => ['sample', 'mutate', 'crossover'].includes(o))).toBe(true);

    const prompts = listPrompts(store);
    const bred = prompts.filter((p) => p.generation > 0);
    expect(bred.length).toBeGreaterThan(0);
    for (const child of bred) {
      expect(child.operator).toMatch(/^meta-/);
      for (const parent of child.parents) expect(prompts.map((p) => p.id)).toContain(parent);
    }
    const seedEdit = prompts.find((p) => p.generation === 0 && p.task === 'edit')!;
    expect(seedEdit.proposals).toBeGreaterThan(0);
    expect(seedEdit.valid).toBeGreaterThan(0);
    expect(seedEdit.bestSpeedup).toBeGreaterThan(0);
    expect(showPrompt(store, bred[0]!.id).genome.role).toContain('(rewritten');

    // every failure mode the model showed is a stored, counted failure with its reason
    const summary = llmCampaignSummary(store, 'c1');
    expect(summary.usage.calls).toBe(server.requests.length);
    expect(summary.failures.map((f) => f.failure)).toEqual(expect.arrayContaining(['schema', 'invalid_json']));
    // the looping source was gated by review and never reached the pool; the naive one passed review and the harness
    const detail = showPrompt(store, prompts.find((p) => p.generation === 0 && p.task === 'source')!.id);
    expect(detail.proposalsMade.some((p) => p.failure === 'review')).toBe(true);
    expect(detail.proposalsMade.some((p) => p.genomeHash !== undefined)).toBe(true);
    const editProposals = prompts.filter((p) => p.task === 'edit').flatMap((p) => showPrompt(store, p.id).proposalsMade);
    expect(editProposals.some((p) => p.failure === 'rejected' && /mr/.test(p.reason ?? ''))).toBe(true);
    expect(summary.agreement.trueNegatives).toBeGreaterThan(0);

    // resume from the checkpoint taken before generation 3: the same proposals, all answered from the store's cache
    const resumed = strategyFor(store, checkpoint);
    const again = await resumed.ask(4);
    expect(server.requests.length).toBeGreaterThan(requestsAtCheckpoint);
    const before = server.requests.length;
    expect(again.map((p) => canonicalHash(p.genome))).toEqual(afterCheckpoint.map((p) => canonicalHash(p.genome)));
    expect(server.requests.length).toBe(before);
    store.close();
  });

  it('stops LLM calls when the token budget is spent and goes on with the inner strategy', async () => {
    const store = Store.open(':memory:');
    store.createCampaign({ id: 'c1', spec: {}, strategy: 'llm+genetic' });
    const strategy = strategyFor(store, undefined, { maxTokens: 300, seed: 11, review: 'off', operators: ['edit'] });
    let spentAt: { gen: number; calls: number } | undefined;
    for (let gen = 0; gen < 8; gen++) {
      const proposals = await generation(strategy);
      expect(proposals).toHaveLength(4);
      const usage = strategy.usage();
      if (spentAt) {
        expect(usage.calls).toBe(spentAt.calls);
        expect(proposals.every((p) => !p.operator.startsWith('llm'))).toBe(true);
      } else if (usage.promptTokens + usage.completionTokens >= 300) {
        spentAt = { gen, calls: usage.calls };
      }
    }
    expect(spentAt).toBeDefined();
    expect(spentAt!.gen).toBeLessThan(7);
    expect(new LlmStore(store).usage('c1').calls).toBe(spentAt!.calls);
    store.close();
  });
});
