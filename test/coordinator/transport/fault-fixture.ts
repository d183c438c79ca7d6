import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { NatsTransport } from '../../../coordinator/transport/nats.ts';
import { NatsServer, uniquePrefix } from '../../../testkit/nats-server.ts';
import { WorkerChild } from '../../../testkit/worker-child.ts';
import { CampaignRun } from './campaign-run.ts';

/**
 * Shared by the NATS fault test files: one server per file, and per test its
 * own streams, a coordinator transport (its log lines kept), a SQLite
 * campaign, and the worker processes it starts, all torn down after it.
 */
export function faultFixture() {
  const state: { server?: NatsServer; current?: Awaited<ReturnType<typeof setUp>> } = {};
  beforeAll(async () => {
    state.server = await NatsServer.start();
  });
  afterAll(async () => {
    await state.server?.dispose();
  });
  afterEach(async () => {
    await state.current?.dispose();
    state.current = undefined;
  });

  async function setUp(maxDeliver: number) {
    const server = state.server!;
    const prefix = uniquePrefix('fault');
    const topology = { prefix, ackWaitMs: 1_000, maxDeliver };
    const logLines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, new Writable({ write: (chunk, _enc, done) => (logLines.push(JSON.parse(String(chunk))), done()) }));
    const transport = await NatsTransport.open({ servers: server.url }, { ...topology, campaignId: prefix }, log);
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
    const fixture = { server, prefix, transport, run, startWorker, logLines, dispose };
    state.current = fixture;
    return fixture;
  }
  return setUp;
}

/** Every job ends with exactly one ingested result: none lost, none counted twice. */
export function expectEachJobOnce(run: CampaignRun, jobIds: readonly string[]): void {
  expect(run.store.pendingJobs(run.campaignId)).toEqual([]);
  expect(run.store.evaluations(run.campaignId)).toHaveLength(jobIds.length);
  expect(Object.fromEntries(run.ingested)).toEqual(Object.fromEntries(jobIds.map((id) => [id, 1])));
}
