import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { latestVersion, migrations } from '../../../coordinator/store/migrations.ts';
import { Store } from '../../../coordinator/store/store.ts';
import { LlmStore } from '../../../coordinator/store/llm.ts';
import { genomeHash } from '../../../genome/genome.ts';
import { gpuDevice, job, okResult, problem512, wasmGenome, webgpuGenome } from './results.ts';
import { useTempStore } from './temp-store.ts';
import { HARNESS_VERSION } from '../../../verifiers/version.ts';
import { createSuite, listSuites, suiteTasks } from '../../../coordinator/store/suites.ts';
import { PromotionStore, promotedRanking } from '../../../coordinator/store/promotions.ts';
import { problemKey } from '../../../genome/ops/index.ts';

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

/**
 * fixtures/kevo-v4.db was written by the Store at schema version 4 (commit
 * 9a2f26c, before kernel families) with this folder's results.ts helpers:
 * campaign "v4-campaign" with a checkpoint; ok results for an f32
 * WebGPU genome (4 ms), an f16 one (2 ms) and an FMA wasm one (5 ms); a
 * rejected wasm source; a published pending job; an LLM cache entry and review.
 * Its genomes carry no `op`: every genome was matmul then.
 */
const fixtureV4 = new URL('./fixtures/kevo-v4.db', import.meta.url);

describe('migration 6 (kernel families)', () => {
  const open = () => {
    const path = join(t.dir, 'v4.db');
    copyFileSync(fixtureV4, path);
    return Store.open(path);
  };

  it('keeps every row, and genomes that now carry their op still hash to their stored ids', () => {
    const store = open();
    try {
      expect(store.handle.pragma('user_version', { simple: true })).toBe(latestVersion);
      expect(store.campaign('v4-campaign')).toMatchObject({ name: 'made by schema v4', checkpoint: { population: ['y'], rng: 7 }, evaluations: 4, failures: 1 });
      expect(store.pendingJobs('v4-campaign').map((j) => j.jobId)).toEqual(['v4-job-pending']);
      expect([...store.publishedPendingJobIds('v4-campaign')]).toEqual(['v4-job-pending']);
      // The genome a strategy proposes today has op: 'matmul'; its hash must still name the stored evaluation
      // (which the cache no longer answers: an older harness judged it, see migration 7).
      const today = webgpuGenome(4);
      expect(today.op).toBe('matmul');
      expect(genomeHash(today)).toBe('3a27bd1ac7ec6b2e');
      expect(store.evaluations('v4-campaign')[0]).toMatchObject({ jobId: 'v4-job-f32', genomeHash: genomeHash(today) });
      expect(store.evaluations('v4-campaign').map((e) => [e.jobId, e.genome.op, e.precision])).toEqual([
        ['v4-job-f32', 'matmul', 'f32'],
        ['v4-job-f16', 'matmul', 'f16'],
        ['v4-job-fma', 'matmul', 'f32-fma'],
        ['v4-job-src', 'matmul', undefined],
      ]);
      expect(new LlmStore(store).get('cache-key-1')?.content).toBe('hello');
      expect(store.handle.prepare('SELECT verdict FROM llm_reviews').pluck().all()).toEqual(['fail']);
    } finally {
      store.close();
    }
  });

  it('never answers the f16 kernel for the f32 problem, and does for a problem that allows f16', () => {
    const store = open();
    try {
      expect(store.best(problem512).map((r) => [r.jobId, r.precision])).toEqual([
        ['v4-job-f32', 'f32'],
        ['v4-job-fma', 'f32-fma'],
      ]);
      expect(store.best({ ...problem512, accuracy: 'f16' }).map((r) => r.jobId)).toEqual(['v4-job-f16', 'v4-job-f32', 'v4-job-fma']);
    } finally {
      store.close();
    }
  });

  it('keeps a launch with each new kernel; old kernels have none until export derives it', () => {
    const store = open();
    try {
      const old = store.best(problem512)[0]!;
      expect(store.kernel(old.kernelId)?.launch).toBeUndefined();
      const pending = store.pendingJobs('v4-campaign')[0]!;
      const launch = { backend: 'webgpu' as const, entry: 'main', tensors: [], workgroupSize: null, tile: { rows: 8, cols: 8 }, dispatch: [1, 1, 1] as [number, number, number], limits: {} };
      const result = okResult(pending, { medianMs: 1, device: gpuDevice, text: '// new' });
      expect(store.ingest({ ...result, kernel: { ...result.kernel!, launch } })).toBe(true);
      const fresh = store.best(problem512)[0]!;
      expect(fresh.jobId).toBe('v4-job-pending');
      expect(store.kernel(fresh.kernelId)?.launch).toEqual(launch);
    } finally {
      store.close();
    }
  });
});

describe('migration 7 (harness versions)', () => {
  it('reads results from before versions as judged by harness 1: the cache and a current best skip them, reverify marks them', () => {
    const path = join(t.dir, 'v4-harness.db');
    copyFileSync(fixtureV4, path);
    const store = Store.open(path);
    try {
      expect(store.evaluations('v4-campaign').map((e) => e.harnessVersion)).toEqual([1, 1, 1, 1]);
      expect(store.cached(problem512, genomeHash(webgpuGenome(4)), gpuDevice.id)).toBeUndefined();
      expect(store.best(problem512).map((r) => r.jobId)).toEqual(['v4-job-f32', 'v4-job-fma']);
      expect(store.best(problem512, { harnessVersion: HARNESS_VERSION })).toEqual([]);

      const stale = store.staleKernels({ problem: problem512 });
      expect(stale.map((k) => k.harnessVersion)).toEqual([1, 1, 1]);
      const [f32, f16, fma] = stale.map((k) => k.kernelId);
      expect(store.markReverified(f32!, problem512, { ok: true })).toBe(1);
      expect(store.markReverified(fma!, problem512, { ok: false, status: 'rejected', stage: 'numerics', reason: 'rejected at numerics: off' })).toBe(1);
      expect(store.best(problem512, { harnessVersion: HARNESS_VERSION }).map((r) => r.jobId)).toEqual(['v4-job-f32']);
      expect(store.cached(problem512, genomeHash(webgpuGenome(4)), gpuDevice.id)?.jobId).toBe('v4-job-f32');
      expect(store.staleKernels({ problem: problem512 }).map((k) => k.kernelId)).toEqual([f16]);
      expect(store.evaluations('v4-campaign').find((e) => e.kernelId === fma)).toMatchObject({ status: 'rejected', stage: 'numerics', harnessVersion: HARNESS_VERSION });
    } finally {
      store.close();
    }
  });
});

describe('migration 8 (task suites)', () => {
  it('adds suites to an old database without touching its campaigns; a suite links campaigns of its own', () => {
    for (const [name, old, campaign] of [['v1', fixture, 'v1-campaign'], ['v4', fixtureV4, 'v4-campaign']] as const) {
      const path = join(t.dir, `${name}-suites.db`);
      copyFileSync(old, path);
      const store = Store.open(path);
      try {
        expect(listSuites(store)).toEqual([]);
        expect(store.campaigns().map((c) => c.id)).toEqual([campaign]);
        const spec = { problems: [{ op: 'matmul', shape: '8x8x8' }] };
        createSuite(store, { id: 's1', name: 'old', suite: { version: 1 }, options: {}, tasks: [{ category: 'sq', name: 't', campaignId: 'c-new', spec, strategy: 'genetic' }] });
        expect(suiteTasks(store, 's1')).toMatchObject([{ position: 0, category: 'sq', campaignId: 'c-new', status: 'stopped' }]);
        // The campaign's own best still answers through lineage for a campaign from before suites.
        expect(store.best(problem512, { campaignId: campaign }).length).toBe(store.best(problem512).filter((r) => r.campaignId === campaign).length);
        expect(() => createSuite(store, { id: 's1', name: 'again', suite: {}, options: {}, tasks: [] })).toThrow(/already exists/);
      } finally {
        store.close();
      }
    }
  });
});

describe('migration 9 (promotions)', () => {
  it('gives old databases an empty promotions table that records and ranks a gate promotion next to their old kernels', () => {
    for (const fixtureUrl of [fixture, fixtureV4]) {
      const path = join(t.dir, `promotions-${fixtureUrl === fixture ? 'v1' : 'v4'}.db`);
      copyFileSync(fixtureUrl, path);
      const store = Store.open(path);
      try {
        const promotions = new PromotionStore(store);
        expect(promotions.forProblem(problem512, 'gate')).toEqual([]);
        const [top] = store.best(problem512);
        const device = store.devices().find((d) => d.id === top!.deviceClass.id)!;
        promotions.record([
          { kind: 'gate', campaignId: top!.campaignId, jobId: 'p-1', problem: problem512, genomeHash: top!.genomeHash, deviceClass: device, worker: 'w2', finder: 'w1', elsewhere: true, status: 'ok', ratios: [1.1, 1.2, 1.3], interval: { estimate: 1.2, low: 1.1, high: 1.3 } },
        ]);
        expect(promotions.latestGate(problem512, top!.genomeHash, device.id)).toMatchObject({ worker: 'w2', finder: 'w1', elsewhere: true, freshThread: false, ratios: [1.1, 1.2, 1.3], interval: { estimate: 1.2, low: 1.1, high: 1.3 } });
        expect(promotedRanking(store, store.best(problem512))[0]!.promoted).toMatchObject({ speedup: 1.2, low: 1.1, high: 1.3, rounds: 3, tie: false });
      } finally {
        store.close();
      }
    }
  });
});

describe('migration 11 (promotions.fresh_thread)', () => {
  it('reads a promotion stored before it as not in a fresh thread, and records one that was', () => {
    const path = join(t.dir, 'fresh-thread.db');
    copyFileSync(fixtureV4, path);
    // The database as kevo at schema 10 left it, with a gate promotion (on the finder's warm pool, as then).
    const at10 = new Database(path);
    for (const m of migrations.filter((m) => m.version > 4 && m.version <= 10)) {
      at10.exec(m.sql);
      at10.pragma(`user_version = ${m.version}`);
    }
    const top = at10.prepare("SELECT genome_hash AS hash, device_class_id AS device FROM evaluations WHERE status = 'ok' AND problem_key = ? ORDER BY median_ms LIMIT 1").get(problemKey(problem512)) as { hash: string; device: string };
    at10
      .prepare(
        `INSERT INTO promotions (kind, job_id, problem_key, genome_hash, device_class_id, worker, finder, elsewhere, status, ratios, created_at)
         VALUES ('gate', 'p-old', ?, ?, ?, 'w1', 'w1', 0, 'ok', '[1.1]', '2026-01-01T00:00:00Z')`,
      )
      .run(problemKey(problem512), top.hash, top.device);
    at10.close();

    const store = Store.open(path);
    try {
      const promotions = new PromotionStore(store);
      expect(promotions.latestGate(problem512, top.hash, top.device)).toMatchObject({ jobId: 'p-old', elsewhere: false, freshThread: false });
      const device = store.devices().find((d) => d.id === top.device)!;
      promotions.record([
        { kind: 'gate', jobId: 'p-new', problem: problem512, genomeHash: top.hash, deviceClass: device, worker: 'w1', finder: 'w1', elsewhere: false, freshThread: true, status: 'ok', ratios: [1.2, 1.3] },
      ]);
      expect(promotions.latestGate(problem512, top.hash, top.device)).toMatchObject({ jobId: 'p-new', elsewhere: false, freshThread: true });
    } finally {
      store.close();
    }
  });
});
