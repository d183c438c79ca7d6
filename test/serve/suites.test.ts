import { beforeEach, expect, it } from 'vitest';
import { planSuite } from '../../coordinator/suite/plan.ts';
import { createSuiteRun } from '../../coordinator/suite/run.ts';
import { parseSuite } from '../../coordinator/suite/suite-file.ts';
import { suiteTasks } from '../../coordinator/store/suites.ts';
import { answer } from '../../serve/api.ts';
import { cpuDevice, job, okResult, problem64, wasmGenome } from '../coordinator/store/results.ts';
import { useTempStore } from '../coordinator/store/temp-store.ts';

const t = useTempStore();
let suiteId = '';

beforeEach(() => {
  const task = (m: number) => ({ problem: { op: 'matmul', shape: { m, n: 64, k: 64 } }, budget: { evaluations: 2 } });
  const suite = parseSuite({ version: 1, name: 'api', categories: [{ name: 'square', tasks: [task(64)] }, { name: 'gemv', tasks: [task(1)] }] });
  suiteId = createSuiteRun(t.store, suite, planSuite(suite, {}, 'suite', () => undefined), { strategy: 'genetic' });
  const [square] = suiteTasks(t.store, suiteId);
  t.store.recordGenome({ genome: wasmGenome(2), campaignId: square!.campaignId, parents: [], operator: 'seed' });
  t.store.ingest(okResult(job('j1', square!.campaignId, wasmGenome(2), problem64), { medianMs: 4 }));
  t.store.updateCampaign(square!.campaignId, { status: 'done', deviceClassId: cpuDevice.id });
});

// The API's routing over the store, as serve/server.ts answers it (JSON round trip included).
const get = (path: string) => {
  const { status, body } = answer(t.store, path, new URLSearchParams());
  return { status, body: JSON.parse(JSON.stringify(body)) };
};

it('lists suites with their overall figures, and answers one suite report per category', () => {
  const list = get('/api/suites');
  expect(list.status).toBe(200);
  expect(list.body).toMatchObject([{ id: suiteId, name: 'api', status: 'stopped', categories: ['square', 'gemv'], overall: { tasks: 2, correct: 1, correctness: 0.5 } }]);
  const one = get(`/api/suites/${suiteId}`);
  expect(one.status).toBe(200);
  expect(one.body.categories).toMatchObject([
    { category: 'square', tasks: 1, correct: 1, fastP: { '1': 1, '2': 1, '4': 0 }, geomeanSpeedup: 2.5 },
    { category: 'gemv', tasks: 1, correct: 0, fastP: { '1': 0 }, geomeanSpeedup: null },
  ]);
  expect(one.body.tasks.map((task: { best?: { speedup: number } }) => task.best?.speedup ?? null)).toEqual([2.5, null]);
  expect(get('/api/suites/s-none').status).toBe(404);
});
