import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { naiveMatmulWat } from '../../testkit/naive-wat.ts';
import { collect, kevo, logLine, startKevo } from '../helpers/cli.ts';
import { startLlmServer, type LlmServer } from '../../testkit/llm-server.ts';
import { NatsServer } from '../../testkit/nats-server.ts';
import { scriptedModel } from '../llm/model.ts';
import { spaceOf } from '../../testkit/spaces.ts';

const problem = { op: 'matmul', shape: { m: 12, n: 8, k: 6 }, dtype: 'f32' } as const;
const dir = mkdtempSync(join(tmpdir(), 'kevo-nats-llm-'));
let nats: NatsServer;
let llm: LlmServer;

beforeAll(async () => {
  nats = await NatsServer.start();
  const space = spaceOf(problem);
  llm = await startLlmServer(scriptedModel(space, { sources: [naiveMatmulWat(problem)] }));
});
afterAll(async () => {
  await llm.close();
  await nats.dispose();
  rmSync(dir, { recursive: true, force: true });
});

it('LLM reviews run as jobs on a NATS worker that advertises llm', async () => {
  const worker = startKevo(['worker', '--nats', nats.url, '--threads', '1', '--name', 'reviewer', '--no-relaxed-simd', '--llm-base-url', llm.baseUrl, '--llm-model', 'scripted', '--log-level', 'info'], {
    env: { KEVO_LLM_API_KEY: 'worker-key' },
  });
  const workerDone = collect(worker);
  await logLine(worker, (line) => line.msg === 'worker ready');
  try {
    const listed = JSON.parse((await kevo(['workers', '--nats', nats.url, '--json'])).stdout);
    expect(listed).toMatchObject([{ name: 'reviewer', backends: ['wasm', 'llm'] }]);
    const db = join(dir, 'kevo.db');
    const run = await kevo(
      ['run', 'matmul', '--shape', '12x8x6', '--nats', nats.url, '--budget', '8', '--population', '4', '--timing-ms', '20', '--no-relaxed-simd', '--promote', '0',
        '--llm-base-url', llm.baseUrl, '--llm-model', 'scripted', '--llm-share', '0.5', '--llm-review', 'gate', '--llm-cost-per-1k-prompt', '1', '--db', db, '--json'],
      { env: { KEVO_LLM_API_KEY: 'coordinator-key' } },
    );
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    const show = JSON.parse((await kevo(['campaign', 'show', out.campaignId, '--db', db, '--json'])).stdout);
    expect(show.llm.agreement.reviewed).toBeGreaterThan(0);
    // The reviews were asked by the worker (its own client and key), the proposals by the coordinator.
    const keyOf = (name: string) => new Set(llm.requests.filter((r) => r.body.response_format?.json_schema?.name === name).map((r) => r.headers.authorization));
    expect(keyOf('review')).toEqual(new Set(['Bearer worker-key']));
    expect(keyOf('kernel_source')).toEqual(new Set(['Bearer coordinator-key']));

    // The worker's reviews count in the campaign's usage: every request the endpoint served, from anywhere,
    // is a recorded call (each scripted reply reports 100 prompt and 50 completion tokens, $1 per 1k prompt tokens).
    const served = llm.requests.length;
    const reviews = llm.requests.filter((r) => r.body.response_format?.json_schema?.name === 'review').length;
    expect(reviews).toBeGreaterThan(0);
    const usage = show.llm.usage as { calls: number; cacheHits: number; promptTokens: number; completionTokens: number; cost: number };
    expect(usage.calls - usage.cacheHits).toBe(served);
    expect(usage.promptTokens).toBe(100 * served);
    expect(usage.completionTokens).toBe(50 * served);
    expect(usage.cost).toBeCloseTo(0.1 * served, 9);
    const text = await kevo(['campaign', 'show', out.campaignId, '--db', db]);
    expect(text.stdout).toContain(`llm: ${usage.calls} calls`);
    expect(text.stdout).toContain(`${150 * served} tokens, $${(0.1 * served).toFixed(4)}`);

    // A cost cap: once spent, the campaign asks nothing more, neither proposals here nor reviews on the worker.
    const before = llm.requests.length;
    const capped = await kevo(
      ['run', 'matmul', '--shape', '12x8x6', '--nats', nats.url, '--budget', '12', '--population', '4', '--timing-ms', '20', '--no-relaxed-simd', '--seed', '2', '--promote', '0',
        '--llm-base-url', llm.baseUrl, '--llm-model', 'scripted', '--llm-share', '0.5', '--llm-review', 'gate',
        '--llm-cost-per-1k-prompt', '1', '--llm-max-cost', '0.15', '--db', join(dir, 'capped.db'), '--json'],
      { env: { KEVO_LLM_API_KEY: 'coordinator-key' } },
    );
    expect(capped.code, capped.stderr).toBe(0);
    const asked = llm.requests.length - before;
    const cappedShow = JSON.parse((await kevo(['campaign', 'show', JSON.parse(capped.stdout).campaignId, '--db', join(dir, 'capped.db'), '--json'])).stdout);
    expect(cappedShow.llm.usage.cost).toBeGreaterThanOrEqual(0.15);
    expect(cappedShow.llm.usage.cost).toBeCloseTo(0.1 * (cappedShow.llm.usage.calls - cappedShow.llm.usage.cacheHits), 9);
    // The first generation's two proposals spend the cap; at most their reviews were already on their way.
    expect(asked).toBeGreaterThanOrEqual(2);
    expect(asked).toBeLessThanOrEqual(4);
  } finally {
    worker.kill('SIGTERM');
    expect((await workerDone).code).toBe(0);
  }
});
