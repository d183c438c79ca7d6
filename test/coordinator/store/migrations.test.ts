import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { latestVersion, migrations } from '../../../coordinator/store/migrations.ts';
import { Store } from '../../../coordinator/store/store.ts';
import { job, okResult, problem512, wasmGenome } from './results.ts';
import { useTempStore } from './temp-store.ts';

const t = useTempStore();

/**
 * fixtures/kevo-v1.db was written by the Store at schema version 1 (commit
 * f6cf688): campaign "v1-campaign" with a checkpoint, genomes mr=1..3, jobs
 * v1-job-1..3, an ok result for job 1 (4 ms) and a rejected one for job 2.
 */
const fixture = new URL('./fixtures/kevo-v1.db', import.meta.url);

describe('migrations', () => {
  it('are numbered 1, 2, ... in order, so each database version names one schema', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    expect(latestVersion).toBe(migrations.length);
  });

  it('upgrade a version 1 database to the latest, data intact', () => {
    const path = join(t.dir, 'old.db');
    copyFileSync(fixture, path);
    const before = new Database(path, { readonly: true });
    expect(before.pragma('user_version', { simple: true })).toBe(1);
    before.close();

    const store = Store.open(path);
    try {
      expect(store.campaign('v1-campaign')).toMatchObject({
        name: 'made by schema v1',
        spec: { op: 'matmul', shape: '512x512x512', backend: 'wasm' },
        checkpoint: { population: ['x'], rng: 42 },
        evaluations: 2,
        failures: 1,
        bestSpeedup: 2.5,
      });
      expect(store.pendingJobs('v1-campaign').map((j) => j.jobId)).toEqual(['v1-job-3']);
      expect(store.best(problem512).map((r) => [r.jobId, r.medianMs])).toEqual([['v1-job-1', 4]]);
      expect(store.evaluations('v1-campaign').map((e) => e.status)).toEqual(['ok', 'rejected']);
      expect(store.best(problem512)[0]!.measuredError).toBeUndefined(); // measured from schema 5 on

      expect(store.ingest(okResult(job('v1-job-3', 'v1-campaign', wasmGenome(3)), { medianMs: 3 }))).toBe(true);
      expect(store.best(problem512).map((r) => r.jobId)).toEqual(['v1-job-3', 'v1-job-1']);
    } finally {
      store.close();
    }

    const after = new Database(path, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(latestVersion);
    const indexes = after.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'evaluations'").pluck().all();
    expect(indexes).toEqual(expect.arrayContaining(['evaluations_best', 'evaluations_cache']));
    after.close();
  });
});
