import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../coordinator/store/store.ts';
import { defaultWasmGenome } from '../../genome/wasm/baseline.ts';
import { KernelJob } from '../../protocol/job.ts';
import { resultFor } from '../../protocol/result.ts';
import { storeStaleKernels } from '../helpers/stale-kernels.ts';
import { kevo, kevoInProcess } from '../helpers/cli.ts';
import { HARNESS_VERSION } from '../../verifiers/version.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-cli-reverify-'));
const db = join(dir, 'kevo.db');
const problem = { op: 'matmul', shape: { m: 8, n: 8, k: 8 }, dtype: 'f32' } as const;
/** Writes nothing: C stays poisoned. */
const NO_OP = '(module (import "env" "memory" (memory 1)) (func (export "matmul") (param i32 i32 i32 i32)))';
let forgedId: string;
let honestId: string;

/**
 * A store holding a lie, as one written before results were checked (or by
 * hand) would: a no-op kernel stored as ok at 99999 GFLOP/s.
 */
beforeAll(async () => {
  const run = await kevo(['run', 'matmul', '--shape', '8x8x8', '--budget', '2', '--population', '2', '--threads', '1', '--timing-ms', '10', '--promote', '0', '--db', db, '--json'], { cwd: dir });
  expect(run.code, run.stderr).toBe(0);
  honestId = JSON.parse(run.stdout).best.kernelId;
  const store = Store.open(db);
  try {
    store.createCampaign({ id: 'c-lie', spec: {}, strategy: 'random' });
    const job = KernelJob.parse({ v: 1, kind: 'kernel', jobId: 'j-lie', campaignId: 'c-lie', problem, genome: { ...defaultWasmGenome(problem), mr: 2 }, seed: 1, budgets: {} });
    store.recordJob(job);
    store.ingest(
      resultFor(job, {
        status: 'ok',
        verdicts: [],
        timing: { medianMs: 1e-6, p10Ms: 1e-6, p90Ms: 1e-6, samples: 5, gflops: 99_999, baselineMedianMs: 1, baselineGflops: 1, speedup: 1e6 },
        deviceClass: store.devices()[0]!,
        kernel: { language: 'wat', text: NO_OP },
        // A liar claims the current harness: only running it again here catches it.
        harnessVersion: HARNESS_VERSION,
        worker: 'liar',
        elapsedMs: 1,
      }),
    );
    forgedId = store.evaluations('c-lie')[0]!.kernelId!;
  } finally {
    store.close();
  }
});

// The bin runs best, export and reverify once each (below); the other calls go through the CLI's main() in process.
describe('a stored best is re-verified before it is reported or exported', () => {
  it('kevo best leaves out a kernel that fails the harness, and says so', async () => {
    const best = await kevo(['best', 'matmul', '--shape', '8x8x8', '--db', db, '--json'], { cwd: dir });
    expect(best.code, best.stderr).toBe(0);
    expect(best.stderr).toMatch(new RegExp(`kernel ${forgedId} failed re-verification \\(rejected at smoke: .*\\): left out`));
    const rows = JSON.parse(best.stdout) as { kernelId: string; gflops: number }[];
    expect(rows[0]!.kernelId).not.toBe(forgedId);
    expect(rows.every((row) => row.gflops < 99_999)).toBe(true);
  });

  it('kevo export refuses it: exit 1, nothing written', async () => {
    const out = join(dir, 'forged');
    const run = await kevo(['export', forgedId, '--out', out, '--db', db], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`kernel ${forgedId} failed re-verification \\(rejected at smoke: .*\\): not exported`));
    expect(existsSync(out)).toBe(false);
  });

  it('and exports a kernel that passes', async () => {
    const run = await kevoInProcess(['export', honestId, '--out', join(dir, 'honest'), '--db', db]);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(dir, 'honest', 'meta.json'))).toBe(true);
  });
});

/**
 * Results an older, laxer harness passed (version 1): a no-op kernel it let
 * through, and a copy of the honest kernel. The current harness rejects the
 * first at smoke, as a stricter harness would.
 */
describe('kevo reverify', () => {
  const STALE_NO_OP = `${NO_OP} ;; passed by harness 1`;
  let staleId: string;

  beforeAll(() => {
    const store = Store.open(db);
    try {
      staleId = storeStaleKernels(store, problem, [STALE_NO_OP, store.kernel(honestId)!.text]);
    } finally {
      store.close();
    }
  });

  it('kevo best ranks only kernels the current harness judged, unless --any-harness', async () => {
    const current = await kevoInProcess(['best', 'matmul', '--shape', '8x8x8', '--db', db, '--json']);
    expect(current.code, current.stderr).toBe(0);
    expect((JSON.parse(current.stdout) as { kernelId: string }[]).map((r) => r.kernelId)).not.toContain(staleId);
    const any = await kevoInProcess(['best', 'matmul', '--shape', '8x8x8', '--any-harness', '--db', db, '--json']);
    expect(any.code, any.stderr).toBe(0);
    // It ranks first by its stored speedup, and is refused only by running it again at report time.
    expect(any.stderr).toContain(`kernel ${staleId} failed re-verification`);
  });

  it('kevo export refuses a kernel an older harness verified, unless --any-harness', async () => {
    const out = join(dir, 'stale');
    const run = await kevoInProcess(['export', staleId, '--out', out, '--db', db]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`was verified by harness 1, not the current ${HARNESS_VERSION}`);
    expect(existsSync(out)).toBe(false);
  });

  it('judges them again: the one that now fails is marked and no longer ranked, the other stands', async () => {
    const run = await kevo(['reverify', '--problem', 'matmul', '--shape', '8x8x8', '--db', db, '--json'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { harnessVersion: number; kernels: { kernelId: string; ok: boolean; status?: string; stage?: string; from: number }[] };
    expect(report.harnessVersion).toBe(HARNESS_VERSION);
    expect(report.kernels).toEqual([
      expect.objectContaining({ kernelId: staleId, ok: false, status: 'rejected', stage: 'smoke', from: 1 }),
      expect.objectContaining({ kernelId: honestId, ok: true, from: 1 }),
    ]);

    const store = Store.openReadOnly(db);
    try {
      expect(store.evaluations('c-old').map((e) => [e.kernelId, e.status, e.harnessVersion])).toEqual([
        [staleId, 'rejected', HARNESS_VERSION],
        [honestId, 'ok', HARNESS_VERSION],
      ]);
    } finally {
      store.close();
    }
    const any = await kevoInProcess(['best', 'matmul', '--shape', '8x8x8', '--any-harness', '--limit', '1000', '--db', db, '--json']);
    expect(any.code, any.stderr).toBe(0);
    expect((JSON.parse(any.stdout) as { kernelId: string }[]).map((r) => r.kernelId)).not.toContain(staleId);
    expect(any.stderr).not.toContain(staleId);

    const again = await kevoInProcess(['reverify', '--all', '--db', db]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(`every kernel selected was judged by harness ${HARNESS_VERSION} already\n`);
  });

  it('needs exactly one selection: exit 2, naming it', async () => {
    const none = await kevoInProcess(['reverify', '--db', db]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--all: give one of --campaign, --problem or --all');
    const unknown = await kevoInProcess(['reverify', '--campaign', 'no-such', '--db', db]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no campaign with id "no-such"');
  });
});
