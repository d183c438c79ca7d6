import { expect, it } from 'vitest';
import { Store } from '../../coordinator/store/store.ts';
import { suiteTasks } from '../../coordinator/store/suites.ts';
import { collect, stopWorker, kevo, logLine, startKevo } from '../helpers/cli.ts';
import { natsFixture } from '../helpers/nats-fixture.ts';
import { tinySuite, writeFile } from '../helpers/suite.ts';

const nats = natsFixture('nats-suite');

it('runs a tiny suite over NATS on a real kevo worker: every task a campaign of its own, each evaluation ingested once', async () => {
  const worker = startKevo(['worker', '--nats', nats.url, '--threads', '2', '--name', 'suite-worker', '--log-level', 'info']);
  const workerDone = collect(worker);
  await logLine(worker, (line) => line.msg === 'worker ready');
  try {
    const path = writeFile(nats.dir, 'tiny.json', tinySuite);
    const run = await kevo(['suite', 'run', path, '--nats', nats.url, '--population', '2', '--timing-ms', '30', '--promote', '0', '--db', nats.db, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ status: 'done', overall: { tasks: 2, correct: 2 } });

    const store = Store.openReadOnly(nats.db);
    const tasks = suiteTasks(store, report.id);
    const evaluations = tasks.flatMap((t) => store.evaluations(t.campaignId));
    expect(tasks.map((t) => store.campaign(t.campaignId)!.evaluations)).toEqual([4, 4]);
    expect(new Set(evaluations.map((e) => e.worker.replace(/#\d+$/, '')))).toEqual(new Set(['suite-worker']));
    store.close();

    expect(await stopWorker(worker, workerDone)).toEqual({ code: 0, jobsDone: evaluations.length });
  } finally {
    worker.kill('SIGTERM');
    await workerDone;
  }
});
