import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { planSuite } from '../../coordinator/suite/plan.ts';
import { createSuiteRun } from '../../coordinator/suite/run.ts';
import { parseSuite } from '../../coordinator/suite/suite-file.ts';
import { suiteTasks } from '../../coordinator/store/suites.ts';
import { silentLogger } from '../../lib/log.ts';
import { createDashboardServer, listen } from '../../serve/server.ts';
import { cpuDevice, job, okResult, problem64, wasmGenome } from '../coordinator/store/results.ts';
import { useTempStore } from '../coordinator/store/temp-store.ts';

const t = useTempStore();
let server: Server;
let base = '';
let suiteId = '';

beforeEach(async () => {
  const task = (m: number) => ({ problem: { op: 'matmul', shape: { m, n: 64, k: 64 } }, budget: { evaluations: 2 } });
  const suite = parseSuite({ version: 1, name: 'api', categories: [{ name: 'square', tasks: [task(64)] }, { name: 'gemv', tasks: [task(1)] }] });
  suiteId = createSuiteRun(t.store, suite, planSuite(suite, {}, 'suite', () => undefined), { strategy: 'genetic' });
  const [square] = suiteTasks(t.store, suiteId);
  t.store.recordGenome({ genome: wasmGenome(2), campaignId: square!.campaignId, parents: [], operator: 'seed' });
  t.store.ingest(okResult(job('j1', square!.campaignId, wasmGenome(2), problem64), { medianMs: 4 }));
  t.store.updateCampaign(square!.campaignId, { status: 'done', deviceClassId: cpuDevice.id });
  server = createDashboardServer(t.store, silentLogger);
  const address: AddressInfo = await listen(server, 0, '127.0.0.1');
  base = `http://127.0.0.1:${address.port}`;
});
afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

const get = async (path: string) => {
  const response = await fetch(base + path);
  return { status: response.status, body: JSON.parse(await response.text()) };
};

it('lists suites with their overall figures, and answers one suite report per category', async () => {
  const list = await get('/api/suites');
  expect(list.status).toBe(200);
  expect(list.body).toMatchObject([{ id: suiteId, name: 'api', status: 'stopped', categories: ['square', 'gemv'], overall: { tasks: 2, correct: 1, correctness: 0.5 } }]);
  const one = await get(`/api/suites/${suiteId}`);
  expect(one.status).toBe(200);
  expect(one.body.categories).toMatchObject([
    { category: 'square', tasks: 1, correct: 1, fastP: { '1': 1, '2': 1, '4': 0 }, geomeanSpeedup: 2.5 },
    { category: 'gemv', tasks: 1, correct: 0, fastP: { '1': 0 }, geomeanSpeedup: null },
  ]);
  expect(one.body.tasks.map((task: { best?: { speedup: number } }) => task.best?.speedup ?? null)).toEqual([2.5, null]);
  expect((await get('/api/suites/s-none')).status).toBe(404);
});
