import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { problemFrom } from '../../genome/ops/index.ts';
import { PromotionStore } from '../../coordinator/store/promotions.ts';
import { Store } from '../../coordinator/store/store.ts';
import { natsFixture } from '../helpers/nats-fixture.ts';
import { collect, kevo, logLine, startKevo } from '../helpers/cli.ts';

const nats = natsFixture('promotion');

it('a promotion over NATS with two workers re-times the best on the worker that did not find it and reports an interval', async () => {
  const workers = ['gate-a', 'gate-b'].map((name) => startKevo(['worker', '--nats', nats.url, '--threads', '1', '--name', name, '--log-level', 'info']));
  const stopped = workers.map((w) => collect(w));
  try {
    await Promise.all(workers.map((w) => logLine(w, (line) => line.msg === 'worker ready')));
    const run = await kevo(['run', 'matmul', '--shape', '16x16x16', '--nats', nats.url, '--budget', '4', '--population', '2', '--timing-ms', '10', '--promote', '1', '--promote-rounds', '4', '--json', '--db', nats.db]);
    expect(run.code, run.stderr).toBe(0);
    const promoted = JSON.parse(run.stdout).best.promoted;
    expect(promoted).toMatchObject({ rounds: 4, elsewhere: true, freshThread: false, tie: false });
    expect(promoted.low).toBeLessThanOrEqual(promoted.speedup);
    expect(promoted.high).toBeGreaterThanOrEqual(promoted.speedup);

    const store = Store.open(nats.db);
    try {
      const [row, ...more] = new PromotionStore(store).forProblem(problemFrom('matmul', '16x16x16'), 'gate');
      expect(more).toEqual([]);
      expect(row!.status).toBe('ok');
      expect(row!.ratios).toHaveLength(4);
      expect(['gate-a', 'gate-b']).toContain(row!.finder);
      expect(['gate-a', 'gate-b']).toContain(row!.worker);
      expect(row!.worker).not.toBe(row!.finder);
      expect(row!.freshThread).toBe(false);
    } finally {
      store.close();
    }

    const best = await kevo(['best', 'matmul', '--shape', '16x16x16', '--limit', '3', '--db', nats.db]);
    expect(best.code, best.stderr).toBe(0);
    expect(best.stdout).toMatch(/promoted \(95% CI\)/);
    expect(best.stdout).toMatch(/\d+\.\d\dx \[\d+\.\d\d-\d+\.\d\d\]/);
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    for (const done of stopped) expect((await done).code).toBe(0);
  }
});

it('embedded, with its one worker, re-times the best on that worker in a fresh thread', async () => {
  const db = join(mkdtempSync(join(tmpdir(), 'kevo-promote-')), 'kevo.db');
  const run = await kevo(['run', 'matmul', '--shape', '16x16x16', '--threads', '1', '--budget', '4', '--population', '2', '--timing-ms', '10', '--promote', '2', '--promote-rounds', '3', '--json', '--db', db]);
  expect(run.code, run.stderr).toBe(0);
  expect(JSON.parse(run.stdout).best.promoted).toMatchObject({ rounds: 3, elsewhere: false, freshThread: true });
  const store = Store.open(db);
  try {
    const rows = new PromotionStore(store).forProblem(problemFrom('matmul', '16x16x16'), 'gate');
    expect(rows.length).toBeGreaterThanOrEqual(1);
    for (const row of rows) expect(row).toMatchObject({ elsewhere: false, freshThread: true, worker: row.finder });
  } finally {
    store.close();
  }
});
