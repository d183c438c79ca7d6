/**
 * LLM proposals: the overhead each costs kevo (prompt build, call over
 * loopback HTTP to a scripted Chat Completions server, parse, verify), next
 * to the cost of evaluating one kernel in the worker pool; and the harness's
 * catch rate on a corpus of hostile LLM-style sources. With KEVO_LLM_BASE_URL
 * (and KEVO_LLM_MODEL) set, also a short campaign against that endpoint:
 * validity rate and fast_1 per prompt generation. `npm run bench:llm [-- --quick]`.
 */
import { parseArgs } from 'node:util';
import { LlmStore } from '../coordinator/store/llm.ts';
import { Store } from '../coordinator/store/store.ts';
import { GeneticSearch } from '../coordinator/strategies/genetic.ts';
import { llmRecords } from '../coordinator/llm-records.ts';
import { createLlmStrategy } from '../coordinator/strategies/llm-create.ts';
import type { Genome } from '../genome/genome.ts';
import type { MatmulProblem } from '../genome/ops/problem.ts';
import type { SearchSpace } from '../genome/space.ts';
import { wasmMatmulSpace } from '../genome/wasm/space.ts';
import { canonicalHash } from '../lib/hash.ts';
import { Rng } from '../lib/rng.ts';
import { median } from '../lib/stats.ts';
import { LlmArchive } from '../llm/archive.ts';
import { MemoryLlmCache } from '../llm/cache.ts';
import { LlmClient } from '../llm/client.ts';
import { LlmEndpoint } from '../llm/options.ts';
import { applyEdit } from '../llm/operators.ts';
import { promptRecord } from '../llm/prompt.ts';
import { renderPrompt } from '../llm/render.ts';
import { EditReply, SourceReply } from '../llm/replies.ts';
import { seedPrompts } from '../llm/templates.ts';
import { verify } from '../verifiers/harness.ts';
import { WasmPool } from '../worker/pool.ts';
import { wasmKernel } from '../worker/wasm/kernel.ts';
import { naiveMatmulWat } from '../testkit/naive-wat.ts';
import { json, startLlmServer } from '../testkit/llm-server.ts';
import { hostileCorpus } from '../testkit/llm-corpus.ts';
import { evaluate, scored } from '../testkit/llm-evaluate.ts';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const ROUNDS = args.quick ? 20 : 60;
const problem: MatmulProblem = { op: 'matmul', shape: { m: 64, n: 64, k: 64 }, dtype: 'f32' };
const space = wasmMatmulSpace(problem, { relaxedSimd: false }) as unknown as SearchSpace<Genome>;
const log = (line: string) => process.stdout.write(`${line}\n`);
const ms = (x: number) => `${x.toFixed(3)} ms`;

const pool = new WasmPool({ threads: 1 });
const device = await pool.deviceClass();
const ctx = { problem, backend: 'wasm' as const, device, genomeSchema: space.schema, spaceName: space.name };
const rng = new Rng(1);
const archive = new LlmArchive();
for (let i = 0; i < 12; i++) archive.add(space.sample(rng), i % 4 === 0 ? null : 1 + i / 10, ['x'], 'numerics: off');

async function overhead(): Promise<void> {
  const source = naiveMatmulWat(problem);
  const server = await startLlmServer((request) =>
    request.body.response_format?.json_schema?.name === 'genome_edit'
      ? json({ parent: 'none', changes: space.sample(rng), rationale: 'r' })
      : json({ source, rationale: 'r' }),
  );
  const client = new LlmClient({ endpoint: LlmEndpoint.parse({ baseUrl: server.baseUrl, model: 'scripted', concurrency: 1 }), apiKey: 'k', cache: new MemoryLlmCache() });
  const [editPrompt, sourcePrompt] = seedPrompts().map((g) => promptRecord(g, [], 'seed'));
  const phases = { build: [] as number[], call: [] as number[], parse: [] as number[], verifyEdit: [] as number[], verifySource: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    for (const prompt of [editPrompt!, sourcePrompt!]) {
      let t = performance.now();
      const exemplars = archive.pick(prompt.genome.exemplars);
      const messages = renderPrompt(prompt.genome, ctx, exemplars);
      phases.build.push(performance.now() - t);
      const edit = prompt.genome.task === 'edit';
      t = performance.now();
      const outcome = edit
        ? await client.complete({ purpose: 'edit', messages, schema: EditReply, schemaName: 'genome_edit', seed: i })
        : await client.complete({ purpose: 'source', messages, schema: SourceReply, schemaName: 'kernel_source', seed: i });
      phases.call.push(performance.now() - t);
      if (!outcome.ok) throw new Error(outcome.reason);
      // parse alone, again: JSON + zod on the same reply text
      const text = JSON.stringify(outcome.value);
      t = performance.now();
      (edit ? EditReply : SourceReply).parse(JSON.parse(text));
      phases.parse.push(performance.now() - t);
      t = performance.now();
      if ('changes' in outcome.value) {
        applyEdit(space, undefined, outcome.value);
        phases.verifyEdit.push(performance.now() - t);
      } else {
        const wat = outcome.value.source;
        const verdict = await verify((p) => wasmKernel(p, wat), problem, { seed: i, precision: 'f32', edgeShapes: false });
        await verdict.kernel?.dispose();
        phases.verifySource.push(performance.now() - t);
      }
    }
  }
  await server.close();
  const evalMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await evaluate(pool, problem, [space.sample(rng)]);
    evalMs.push(performance.now() - t);
  }
  const llmCost = median(phases.build) + median(phases.call);
  const evaluation = median(evalMs);
  log(`overhead per LLM proposal, ${ROUNDS} rounds each, medians (call = loopback HTTP to the scripted server, incl. JSON + zod):`);
  log(`  prompt build ${ms(median(phases.build))}, call ${ms(median(phases.call))}, parse alone ${ms(median(phases.parse))}`);
  log(`  verify: edit (schema + check/repair) ${ms(median(phases.verifyEdit))}, source (staged harness in process) ${ms(median(phases.verifySource))}`);
  log(`  one pool evaluation of a genome (verify + time vs baseline) ${ms(evaluation)}`);
  log(`  LLM-specific overhead (build + call) / one evaluation: ${(llmCost / evaluation).toFixed(4)}`);
}

async function catchRate(): Promise<void> {
  const small: MatmulProblem = { op: 'matmul', shape: { m: 12, n: 16, k: 8 }, dtype: 'f32' };
  const corpus = hostileCorpus(small);
  const results = await evaluate(pool, small, corpus.map((c) => ({ backend: 'wasm', family: 'source', language: 'wat', text: c.wat })));
  let caught = 0;
  let falseRejections = 0;
  const hostile = corpus.filter((c) => c.caughtBy !== null).length;
  log(`harness on ${corpus.length} LLM-style sources (${hostile} hostile), through the worker pool:`);
  results.forEach((r, i) => {
    const entry = corpus[i]!;
    if (entry.caughtBy === null && r.status !== 'ok') falseRejections++;
    if (entry.caughtBy !== null && r.status !== 'ok') caught++;
    log(`  ${entry.name.padEnd(36)} ${r.status.padEnd(14)} ${(r.stage ?? '-').padEnd(9)} expected ${entry.caughtBy ?? 'pass'}`);
  });
  log(`  caught ${caught}/${hostile} (${((100 * caught) / hostile).toFixed(0)}%), false rejections ${falseRejections}/${corpus.length - hostile}`);
}

async function realEndpoint(baseUrl: string, model: string): Promise<void> {
  const store = Store.open(':memory:');
  store.createCampaign({ id: 'bench', spec: {}, strategy: 'llm' });
  const strategy = createLlmStrategy(new GeneticSearch(space, { seed: 1, population: 8 }), space, {
    baseUrl, model, share: 1, promptGenerationSize: 4, records: llmRecords(store, 'bench'), problem, device, seed: 1,
  });
  const outcome = new Map<string, number | null>();
  for (let gen = 0; gen < (args.quick ? 3 : 6); gen++) {
    const proposals = await strategy.ask(4);
    const results = await evaluate(pool, problem, proposals.map((p) => p.genome));
    strategy.tell(results.map(scored));
    for (const r of results) outcome.set(canonicalHash(r.genome), r.status === 'ok' ? r.timing!.speedup : null);
  }
  // every LLM proposal counts, those that never became a genome (failed calls, rejected edits) as invalid
  const llm = new LlmStore(store);
  const byGeneration = new Map<number, { proposals: number; valid: number; fast: number }>();
  for (const prompt of llm.promptSummaries()) {
    const row = byGeneration.get(prompt.generation) ?? { proposals: 0, valid: 0, fast: 0 };
    for (const made of llm.promptDetail(prompt.id)!.proposalsMade) {
      const speedup = made.genomeHash === undefined ? null : (outcome.get(made.genomeHash) ?? null);
      row.proposals++;
      if (speedup !== null) row.valid++;
      if (speedup !== null && speedup > 1) row.fast++;
    }
    byGeneration.set(prompt.generation, row);
  }
  log(`real endpoint ${model} at ${baseUrl}: ${JSON.stringify(strategy.usage())}`);
  for (const [generation, row] of [...byGeneration].sort((a, b) => a[0] - b[0])) {
    if (row.proposals === 0) continue;
    log(`  prompt generation ${generation}: ${row.proposals} proposals, validity ${(row.valid / row.proposals).toFixed(2)}, fast_1 ${(row.fast / row.proposals).toFixed(2)}`);
  }
  store.close();
}

try {
  await overhead();
  await catchRate();
  const baseUrl = process.env.KEVO_LLM_BASE_URL;
  if (baseUrl) await realEndpoint(baseUrl, process.env.KEVO_LLM_MODEL ?? 'gpt-4o-mini');
  else log('real endpoint: skipped (set KEVO_LLM_BASE_URL and KEVO_LLM_MODEL, and KEVO_LLM_API_KEY if it needs one)');
} finally {
  await pool.close();
}
