import { describe, expect, it } from 'vitest';
import { forgery, refusedResult } from '../../coordinator/acceptance.ts';
import type { Genome } from '../../genome/genome.ts';
import { matmulWat } from '../../genome/wasm/codegen.ts';
import { defaultWasmGenome } from '../../genome/wasm/baseline.ts';
import { KernelJob } from '../../protocol/job.ts';
import { resultFor, type KernelResult } from '../../protocol/result.ts';

const problem = { op: 'matmul', shape: { m: 16, n: 16, k: 16 }, dtype: 'f32' } as const;
const tiled = defaultWasmGenome(problem);
const source: Genome = { backend: 'wasm', family: 'source', language: 'wat', text: matmulWat(tiled, problem) };
const timing = { medianMs: 1e-6, p10Ms: 1e-6, p90Ms: 1e-6, samples: 5, gflops: 99_999, baselineMedianMs: 1, baselineGflops: 1, speedup: 1e6 };
const NO_OP = '(module (import "env" "memory" (memory 1)) (func (export "matmul") (param i32 i32 i32 i32)))';

const jobOf = (genome: Genome) =>
  KernelJob.parse({ v: 1, kind: 'kernel', jobId: 'j-1', campaignId: 'c-1', problem, genome, seed: 1, budgets: {} });
const ok = (job: KernelJob, text: string, more: Partial<KernelResult> = {}) =>
  resultFor(job, { status: 'ok', verdicts: [], timing, kernel: { language: 'wat', text }, worker: 'w#1', elapsedMs: 1, ...more });

describe('forgery', () => {
  it("accepts a result whose kernel is codegen's text of the job's genome", () => {
    const job = jobOf(tiled);
    expect(forgery(ok(job, matmulWat(tiled, problem)), job)).toBeUndefined();
  });

  it("refuses a kernel that is not codegen's text (a no-op at 99999 GFLOP/s)", () => {
    const job = jobOf(tiled);
    expect(forgery(ok(job, NO_OP), job)).toMatch(/its kernel is not the job's/);
  });

  it("refuses a source genome's result whose kernel is not the job's own text", () => {
    const job = jobOf(source);
    expect(forgery(ok(job, matmulWat(tiled, problem)), job)).toBeUndefined();
    expect(forgery(ok(job, NO_OP), job)).toMatch(/its kernel is not the job's/);
  });

  it("refuses a result whose genome or problem is not the job's", () => {
    const job = jobOf(tiled);
    expect(forgery({ ...ok(job, NO_OP), genome: { ...tiled, mr: 2 } }, job)).toMatch(/its genome is not the job's/);
    expect(forgery({ ...ok(job, NO_OP), problem: { ...problem, shape: { m: 8, n: 8, k: 8 } } }, job)).toMatch(/its problem is not the job's/);
  });

  it('refuses ok without a kernel, accepts a failure without one', () => {
    const job = jobOf(tiled);
    expect(forgery({ ...ok(job, ''), kernel: undefined }, job)).toMatch(/claims ok without the kernel/);
    expect(forgery(resultFor(job, { status: 'timeout', stage: 'deadline', reason: 'x', verdicts: [], worker: 'w', elapsedMs: 1 }), job)).toBeUndefined();
  });

  it('a refused result is a failure with nothing to rank, cache or export', () => {
    const job = jobOf(tiled);
    const refused = refusedResult(ok(job, NO_OP, { worker: 'mallory' }), job, 'that worker was never seen live');
    expect(refused).toMatchObject({ jobId: 'j-1', status: 'rejected', stage: 'acceptance', reason: 'refused a result from worker "mallory": that worker was never seen live' });
    expect(refused.timing ?? refused.kernel ?? refused.deviceClass).toBeUndefined();
  });
});
