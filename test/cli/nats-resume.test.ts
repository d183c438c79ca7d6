import { expect, it } from 'vitest';
import { natsFixture } from '../helpers/nats-fixture.ts';
import { Store } from '../../coordinator/store/store.ts';
import { collect, stopWorker, evaluationsReach, kevo, logLine, startKevo } from '../helpers/cli.ts';

const nats = natsFixture('nats-resume');
const { db } = nats;



it('a coordinator killed mid-campaign resumes over NATS without losing or repeating work', async () => {
  const worker = startKevo(['worker', '--nats', nats.url, '--threads', '1', '--name', 'w1', '--log-level', 'info']);
  const workerDone = collect(worker);
  await logLine(worker, (line) => line.msg === 'worker ready');
  try {
    const coordinator = startKevo(['run', 'matmul', '--shape', '24x24x24', '--nats', nats.url, '--budget', '16', '--population', '4', '--seed', '5', '--timing-ms', '40', '--promote', '0', '--db', db]);
    const killed = collect(coordinator);
    const campaignId = await evaluationsReach(db, 2);
    coordinator.kill('SIGKILL');
    await killed;

    const resumed = await kevo(['campaign', 'resume', campaignId, '--nats', nats.url, '--db', db, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout).status).toBe('done');

    const store = Store.open(db);
    const evaluations = store.evaluations(campaignId);
    expect(store.pendingJobs(campaignId)).toEqual([]);
    expect(new Set(evaluations.map((e) => e.genomeHash)).size).toBe(evaluations.length);
    store.close();
    const listed = await kevo(['workers', '--nats', nats.url, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toMatchObject([{ name: 'w1', backends: ['wasm'], threads: 1 }]);
    // Every evaluation the worker did was ingested once: none lost with the coordinator, none redone on resume.
    expect(await stopWorker(worker, workerDone)).toEqual({ code: 0, jobsDone: evaluations.length });
  } finally {
    worker.kill('SIGTERM');
    await workerDone;
  }
});
