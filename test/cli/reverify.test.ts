import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../coordinator/store/store.ts';
import { defaultWasmGenome } from '../../genome/wasm/baseline.ts';
import { KernelJob } from '../../protocol/job.ts';
import { resultFor } from '../../protocol/result.ts';
import { kevo } from '../helpers/cli.ts';

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
  const run = await kevo(['run', 'matmul', '--shape', '8x8x8', '--budget', '2', '--population', '2', '--threads', '1', '--timing-ms', '10', '--db', db, '--json'], { cwd: dir });
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
        worker: 'liar',
        elapsedMs: 1,
      }),
    );
    forgedId = store.evaluations('c-lie')[0]!.kernelId!;
  } finally {
    store.close();
  }
});

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
    const run = await kevo(['export', honestId, '--out', join(dir, 'honest'), '--db', db], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(dir, 'honest', 'meta.json'))).toBe(true);
  });
});
