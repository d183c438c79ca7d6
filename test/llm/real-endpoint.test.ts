import { afterAll, describe, expect, it } from 'vitest';
import { LlmStore } from '../../coordinator/store/llm.ts';
import { Store } from '../../coordinator/store/store.ts';
import { GeneticSearch } from '../../coordinator/strategies/genetic.ts';
import { llmRecords } from '../../coordinator/llm-records.ts';
import { createLlmStrategy } from '../../coordinator/strategies/llm-create.ts';
import type { Genome } from '../../genome/genome.ts';
import type { MatmulProblem } from '../../genome/ops/problem.ts';
import type { SearchSpace } from '../../genome/space.ts';
import { wasmMatmulSpace } from '../../genome/wasm/space.ts';
import { WasmPool } from '../../worker/pool.ts';
import { evaluate, scored } from '../../testkit/llm-evaluate.ts';

const baseUrl = process.env.KEVO_LLM_BASE_URL;
const model = process.env.KEVO_LLM_MODEL ?? 'gpt-4o-mini';
const problem: MatmulProblem = { op: 'matmul', shape: { m: 32, n: 32, k: 32 }, dtype: 'f32' };

describe('against a real endpoint', () => {
  let pool: WasmPool | undefined;
  afterAll(() => pool?.close());

  it.skipIf(!baseUrl)('(runs only with KEVO_LLM_BASE_URL set, and KEVO_LLM_MODEL, KEVO_LLM_API_KEY as needed) proposes edits and sources the harness judges; every call is stored', { timeout: 600_000 }, async () => {
    pool = new WasmPool({ threads: 1 });
    const store = Store.open(':memory:');
    store.createCampaign({ id: 'real', spec: {}, strategy: 'llm' });
    const space = wasmMatmulSpace(problem, { relaxedSimd: false }) as unknown as SearchSpace<Genome>;
    const strategy = createLlmStrategy(new GeneticSearch(space, { seed: 1, population: 4 }), space, {
      baseUrl: baseUrl!,
      model,
      share: 1,
      review: 'advisory',
      timeoutMs: 180_000,
      records: llmRecords(store, 'real'),
      problem,
      device: await pool.deviceClass(),
      seed: 1,
    });
    for (let gen = 0; gen < 2; gen++) {
      const proposals = await strategy.ask(2);
      expect(proposals).toHaveLength(2);
      const results = await evaluate(pool!, problem, proposals.map((p) => p.genome));
      strategy.tell(results.map(scored));
    }
    const usage = new LlmStore(store).usage('real');
    expect(usage.calls).toBeGreaterThanOrEqual(4);
    expect(usage.calls).toBe(strategy.usage().calls);
    store.close();
  });
});
