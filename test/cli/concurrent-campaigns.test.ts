import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../coordinator/store/store.ts';
import { collect, evaluationsReach, kevo, startServe } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-concurrent-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('several campaigns on one database', () => {
  // Deferred transactions (read, then write) got "database is locked" at once when another
  // campaign held the write lock, and the campaign was left failed (issue #16.2).
  it('4 concurrent `kevo run`s on one fresh file all finish with every evaluation stored, while `kevo serve` reads', async () => {
    const db = join(dir, 'kevo.db');
    // No promotion gate: its re-timing rounds would be most of the work, and the evaluations are what is counted here.
    const runs = [1, 2, 3, 4].map((seed) =>
      kevo(['run', 'matmul', '--shape', '16x16x16', '--budget', '6', '--seed', String(seed), '--threads', '1', '--timing-ms', '20', '--promote', '0', '--db', db, '--json']),
    );
    await evaluationsReach(db, 1);

    const { child: serve, base } = await startServe(db);
    const served = collect(serve);
    let finished = false;
    const all = Promise.all(runs).finally(() => (finished = true));
    let polls = 0;
    while (!finished) {
      // Each answer is awaited before the next request: a poll, not a sleep.
      const response = await fetch(`${base}api/campaigns`);
      expect(response.status).toBe(200);
      await response.json();
      polls++;
    }
    const results = await all;
    serve.kill('SIGTERM');
    expect((await served).code).toBe(0);
    expect(polls).toBeGreaterThan(0);

    const store = Store.open(db);
    try {
      let total = 0;
      for (const result of results) {
        expect(result.code, result.stderr).toBe(0);
        const out = JSON.parse(result.stdout) as { campaignId: string; status: string; evaluations: number; cached: number };
        expect(out.status).toBe('done');
        expect(out.evaluations + out.cached).toBe(6);
        expect(store.campaign(out.campaignId)!.status).toBe('done');
        expect(store.evaluations(out.campaignId)).toHaveLength(out.evaluations);
        expect(store.pendingJobs(out.campaignId)).toEqual([]);
        total += out.evaluations;
      }
      expect(store.campaigns()).toHaveLength(4);
      expect(store.campaigns().reduce((sum, c) => sum + c.evaluations, 0)).toBe(total);
    } finally {
      store.close();
    }
  }, 240_000);
});
