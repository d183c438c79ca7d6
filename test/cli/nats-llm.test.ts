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
      ['run', 'matmul', '--shape', '12x8x6', '--nats', nats.url, '--budget', '8', '--population', '4', '--timing-ms', '20', '--no-relaxed-simd',
        '--llm-base-url', llm.baseUrl, '--llm-model', 'scripted', '--llm-share', '0.5', '--llm-review', 'gate', '--db', db, '--json'],
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
  } finally {
    worker.kill('SIGTERM');
    expect((await workerDone).code).toBe(0);
  }
});
