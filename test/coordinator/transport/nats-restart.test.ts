import { afterAll, beforeAll, expect, it } from 'vitest';
import { NatsTransport } from '../../../coordinator/transport/nats.ts';
import { NatsServer, uniquePrefix } from '../../../testkit/nats-server.ts';
import { WorkerChild } from '../../../testkit/worker-child.ts';
import { CampaignRun } from './campaign-run.ts';
import { testJob } from '../../../testkit/test-job.ts';

let server: NatsServer;
beforeAll(async () => {
  server = await NatsServer.start();
});
afterAll(async () => {
  await server.dispose();
});

it('finishes every job once when the NATS server stops and restarts mid-run', async () => {
  const prefix = uniquePrefix('restart');
  const topology = { prefix, ackWaitMs: 2_000, maxDeliver: 10 };
  const transport = await NatsTransport.open({ servers: server.url, reconnectTimeWait: 250 }, topology);
  const run = new CampaignRun(prefix, transport);
  const worker = await WorkerChild.start({ url: server.url, name: `${prefix}-w`, threads: 2, topology });
  try {
    const jobs = Array.from({ length: 30 }, (_, i) => testJob(prefix, i, 50));
    await run.submit(jobs);
    let restarted = false;
    await run.untilDone(async (ingested) => {
      if (restarted || ingested < 8) return;
      restarted = true;
      await server.stop('SIGTERM');
      await server.restart();
    });
    expect(restarted).toBe(true);
    expect(run.store.pendingJobs(prefix)).toEqual([]);
    expect(run.store.evaluations(prefix)).toHaveLength(jobs.length);
    expect([...run.ingested.values()].every((n) => n === 1)).toBe(true);
    expect(run.ingested.size).toBe(jobs.length);
  } finally {
    await worker.kill('SIGTERM');
    await transport.close();
    run.dispose();
  }
});
