import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { NatsTransport } from '../../../coordinator/transport/nats.ts';
import { natsNames } from '../../../coordinator/transport/nats-topology.ts';
import { NatsServer, uniquePrefix } from '../../helpers/nats-server.ts';
import { WorkerChild } from '../../worker/nats/worker-child.ts';
import { CampaignRun } from './campaign-run.ts';
import { testJob } from './jobs.ts';

let server: NatsServer;
beforeAll(async () => {
  server = await NatsServer.start();
});
afterAll(async () => {
  await server.dispose();
});

/** Per test: its own streams, a coordinator transport, a SQLite campaign, and the worker processes it starts. */
async function setUp(maxDeliver: number) {
  const prefix = uniquePrefix('fault');
  const topology = { prefix, ackWaitMs: 1_000, maxDeliver };
  const logLines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (logLines.push(JSON.parse(String(chunk))), done()) }));
  const transport = await NatsTransport.open({ servers: server.url }, topology, log);
  const run = new CampaignRun(prefix, transport);
  const workers: WorkerChild[] = [];
  const startWorker = async (name: string, threads = 1) => {
    const worker = await WorkerChild.start({ url: server.url, name: `${prefix}-${name}`, threads, topology });
    workers.push(worker);
    return worker;
  };
  const dispose = async () => {
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    await transport.close();
    run.dispose();
  };
  return { prefix, transport, run, startWorker, logLines, dispose };
}

let current: Awaited<ReturnType<typeof setUp>> | undefined;
afterEach(async () => {
  await current?.dispose();
  current = undefined;
});

function expectEachJobOnce(run: CampaignRun, jobIds: readonly string[]): void {
  expect(run.store.pendingJobs(run.campaignId)).toEqual([]);
  expect(run.store.evaluations(run.campaignId)).toHaveLength(jobIds.length);
  expect(Object.fromEntries(run.ingested)).toEqual(Object.fromEntries(jobIds.map((id) => [id, 1])));
}

describe('NATS faults', () => {
  it('redelivers the job of a worker killed mid-job to another worker', async () => {
    current = await setUp(5);
    const { run, startWorker } = current;
    const jobs = Array.from({ length: 6 }, (_, i) => testJob(current!.prefix, i, 200));
    const doomed = await startWorker('doomed');
    await run.submit(jobs);
    const started = await doomed.waitFor((line) => line.event === 'started');
    await doomed.kill('SIGKILL');
    const survivor = await startWorker('survivor', 2);
    await run.untilDone();
    expectEachJobOnce(run, jobs.map((j) => j.jobId));
    const redone = run.results.find((r) => r.jobId === started.jobId)!;
    expect(redone.worker).toBe(`${current.prefix}-survivor`);
    expect(survivor.lines.some((l) => l.event === 'started' && l.jobId === started.jobId)).toBe(true);
  });

  it('turns a job whose deliveries ran out into a stored dead_letter result, and removes it from the queue', async () => {
    current = await setUp(1);
    const { run, startWorker, prefix } = current;
    const jobs = [testJob(prefix, 0, 30_000), testJob(prefix, 1, 1), testJob(prefix, 2, 1)];
    const doomed = await startWorker('doomed');
    await run.submit(jobs.slice(0, 1));
    await doomed.waitFor((line) => line.event === 'started');
    await doomed.kill('SIGKILL');
    await run.submit(jobs.slice(1));
    await startWorker('survivor');
    await run.untilDone();
    expectEachJobOnce(run, jobs.map((j) => j.jobId));
    const dead = run.results.find((r) => r.jobId === jobs[0]!.jobId)!;
    expect(dead.status).toBe('dead_letter');
    expect(dead.reason).toMatch(/max_deliver/);
    const nc = await connect({ servers: server.url });
    const info = await (await jetstreamManager(nc)).streams.info(natsNames(prefix).jobsStream);
    await nc.close();
    expect(info.state.messages).toBe(0);
  });

  it('rejects malformed and oversized messages on the jobs and results subjects without crashing', async () => {
    current = await setUp(5);
    const { run, startWorker, prefix, logLines } = current;
    const worker = await startWorker('sturdy');
    const nc = await connect({ servers: server.url });
    const jobsSubject = `${prefix}.jobs.any.wasm`;
    const newerVersion = { ...testJob(prefix, 100), v: 2 };
    const oversized = { ...testJob(prefix, 101), padding: 'x'.repeat(990_000) };
    const { resultsSubject } = natsNames(prefix);
    nc.publish(jobsSubject, 'not json {');
    nc.publish(jobsSubject, JSON.stringify(newerVersion));
    nc.publish(jobsSubject, JSON.stringify(oversized));
    nc.publish(resultsSubject, 'not json {');
    nc.publish(resultsSubject, JSON.stringify({ kind: 'kernel', jobId: 'nobody' }));
    await nc.flush();
    await nc.close();
    // The recoverable ones come back as failures addressed to their jobs; good jobs still flow.
    run.store.recordJob(testJob(prefix, 100));
    run.store.recordJob(testJob(prefix, 101));
    const good = [testJob(prefix, 0), testJob(prefix, 1)];
    await run.submit(good);
    await run.untilDone();
    expectEachJobOnce(run, [...good.map((j) => j.jobId), `${prefix}-job-100`, `${prefix}-job-101`]);
    for (const id of [`${prefix}-job-100`, `${prefix}-job-101`]) {
      expect(run.results.find((r) => r.jobId === id)).toMatchObject({ status: 'unsupported', stage: 'protocol' });
    }
    expect(run.results.find((r) => r.jobId === `${prefix}-job-101`)!.reason).toMatch(/bytes; at most/);
    expect(worker.lines.filter((l) => l.msg === 'rejected a job message')).toHaveLength(3);
    expect(logLines.filter((l) => l.msg === 'dropped a malformed result message')).toHaveLength(2);
    await worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });
});
