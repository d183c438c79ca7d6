import { readFileSync } from 'node:fs';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NatsTransport } from '../../coordinator/transport/nats.ts';
import { failureResult } from '../../protocol/result.ts';
import { runNatsWorker } from '../../worker/nats/worker.ts';
import { NatsServer } from '../../testkit/nats-server.ts';
import { sourceJob, naive } from '../worker/jobs.ts';
import { SleepEvaluator } from '../../testkit/sleep-evaluator.ts';

/** The configuration docs/nats-permissions.md gives, taken from the page itself so the two cannot drift apart. */
const config = /```conf\n([\s\S]*?)```/.exec(readFileSync(new URL('../../docs/nats-permissions.md', import.meta.url), 'utf8'))![1]!;

let server: NatsServer;
beforeAll(async () => {
  server = await NatsServer.start({ config });
});
afterAll(() => server.dispose());

const login = (user: string, pass: string) => ({ servers: server.url, user, pass });
const forged = failureResult(sourceJob(naive(), { campaignId: 'c-perm' }), { status: 'rejected', stage: 'x', reason: 'forged', worker: 'guest' });

it('a client without the worker permission cannot publish a result: permission violation', async () => {
  const guest = await connect(login('guest', 'guest'));
  try {
    const error = await jetstream(guest)
      .publish('kevo.results.c-perm', JSON.stringify(forged), { timeout: 5_000 })
      .then(() => undefined, (e: unknown) => e);
    expect(String(error)).toMatch(/permissions violation for publish to "kevo\.results\.c-perm"/i);
  } finally {
    await guest.close();
  }
});

it('the coordinator and worker users run a job end to end, and the worker user may publish results', async () => {
  const stop = new AbortController();
  const running = runNatsWorker({
    connection: login('worker', 'change-me-worker'),
    evaluator: new SleepEvaluator('perm-worker'),
    options: { name: 'perm-worker' },
    signal: stop.signal,
  });
  const coordinator = await NatsTransport.open(login('coordinator', 'change-me-coordinator'), { campaignId: 'c-perm', durable: 'c-perm' });
  try {
    while (!(await coordinator.workers()).some((w) => w.name === 'perm-worker')) await new Promise((r) => setTimeout(r, 50));
    const job = sourceJob(naive(), { campaignId: 'c-perm', budgets: { deadlineMs: 5_000, timingMs: 1, minSamples: 1, maxSamples: 1 } });
    await coordinator.submit(job);
    const worker = await connect(login('worker', 'change-me-worker'));
    await jetstream(worker).publish('kevo.results.c-perm', JSON.stringify(forged));
    await worker.close();
    const seen: string[] = [];
    for await (const result of coordinator.results()) {
      seen.push(result.jobId);
      if (seen.includes(job.jobId) && seen.includes(forged.jobId)) break;
    }
    expect(seen).toEqual(expect.arrayContaining([job.jobId, forged.jobId]));
  } finally {
    stop.abort();
    await coordinator.close();
    await running;
  }
});
