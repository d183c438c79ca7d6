import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../coordinator/store/store.ts';
import { GeneticSearch } from '../../coordinator/strategies/genetic.ts';
import { llmRecords } from '../../coordinator/llm-records.ts';
import { createLlmStrategy } from '../../coordinator/strategies/llm-create.ts';
import type { Genome } from '../../genome/genome.ts';
import type { MatmulProblem } from '../../genome/ops/problem.ts';
import type { SearchSpace } from '../../genome/space.ts';
import { wasmMatmulSpace } from '../../genome/wasm/space.ts';
import { WasmPool } from '../../worker/pool.ts';
import { json, startLlmServer, type LlmServer } from '../../testkit/llm-server.ts';
import { hostileCorpus } from '../../testkit/llm-corpus.ts';
import { evaluate } from '../../testkit/llm-evaluate.ts';

const problem: MatmulProblem = { op: 'matmul', shape: { m: 12, n: 16, k: 8 }, dtype: 'f32' };
const corpus = hostileCorpus(problem);

let server: LlmServer;
let pool: WasmPool;
beforeAll(async () => {
  // each source request gets the next kernel of the corpus
  server = await startLlmServer((_request, index) => json({ source: corpus[index % corpus.length]!.wat }));
  pool = new WasmPool({ threads: 2 });
  await pool.deviceClass();
});
afterAll(async () => {
  await server.close();
  await pool.close();
});

describe('LLM-written sources through the real harness', () => {
  it('catches every hostile source at the stage meant for it and passes the correct ones', async () => {
    const store = Store.open(':memory:');
    store.createCampaign({ id: 'c1', spec: {}, strategy: 'llm' });
    const space = wasmMatmulSpace(problem, { relaxedSimd: false }) as unknown as SearchSpace<Genome>;
    const strategy = createLlmStrategy(new GeneticSearch(space, { seed: 1, population: 4 }), space, {
      baseUrl: server.baseUrl,
      model: 'scripted',
      apiKey: 'k',
      share: 1,
      operators: ['source'],
      concurrency: 1,
      records: llmRecords(store, 'c1'),
      problem,
      device: await pool.deviceClass(),
      seed: 1,
    });
    const proposals = await strategy.ask(corpus.length);
    expect(proposals.map((p) => p.operator)).toEqual(corpus.map(() => 'llm-source'));
    const results = await evaluate(pool, problem, proposals.map((p) => p.genome));
    const outcomes = results.map((r) => {
      const entry = corpus.find((c) => 'text' in r.genome && c.wat === r.genome.text)!;
      return { name: entry.name, status: r.status, stage: r.stage ?? null };
    });
    expect(outcomes).toEqual(
      expect.arrayContaining(corpus.map((c) => ({ name: c.name, status: c.status, stage: c.caughtBy }))),
    );
    expect(outcomes).toHaveLength(corpus.length);
    store.close();
  });
});
