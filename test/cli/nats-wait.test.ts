import { join } from 'node:path';
import { expect, it } from 'vitest';
import { natsFixture } from '../helpers/nats-fixture.ts';
import { Store } from '../../coordinator/store/store.ts';
import { collect, logLine, startKevo } from '../helpers/cli.ts';

const nats = natsFixture('nats-wait');
const { dir, db: firstDb } = nats;

it('a campaign started before any worker waits for one, then finishes on it', async () => {
  const coordinator = startKevo(['run', 'matmul', '--shape', '16x16x16', '--nats', nats.url, '--budget', '4', '--population', '2', '--timing-ms', '20', '--promote', '0', '--log-level', 'info', '--json', '--db', firstDb]);
  const done = collect(coordinator);
  await logLine(coordinator, (line) => line.msg === 'waiting for a worker that can run this campaign');
  const worker = startKevo(['worker', '--nats', nats.url, '--threads', '1', '--name', 'late', '--log-level', 'warn']);
  const workerDone = collect(worker);
  try {
    const run = await done;
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ status: 'done', evaluations: 4 });
    expect(out.best.deviceClass.id).toMatch(/^[0-9a-f]{16}$/);
  } finally {
    worker.kill('SIGTERM');
    expect((await workerDone).code).toBe(0);
  }
});

it('Ctrl-C while waiting for a worker stops the campaign with a clear message', async () => {
  const db = join(dir, 'stopped.db');
  const coordinator = startKevo(['run', 'matmul', '--shape', '16x16x16', '--nats', nats.url, '--budget', '2', '--log-level', 'info', '--db', db]);
  const done = collect(coordinator);
  await logLine(coordinator, (line) => line.msg === 'waiting for a worker that can run this campaign');
  coordinator.kill('SIGINT');
  const run = await done;
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/stopped while waiting for a worker that can run wasm; resume it when one is up/);
  const store = Store.open(db);
  expect(store.campaigns().map((c) => c.status)).toEqual(['stopped']);
  store.close();
});
