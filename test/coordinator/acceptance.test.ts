import { describe, expect, it } from 'vitest';
import { forgery, promotionForgery, refusedResult } from '../../coordinator/acceptance.ts';
import { genomeHash, type Genome } from '../../genome/genome.ts';
import { matmulWat } from '../../genome/wasm/codegen.ts';
import { defaultWasmGenome } from '../../genome/wasm/baseline.ts';
import { KernelJob, PromoteJob } from '../../protocol/job.ts';
import { resultFor, type KernelResult, type PromoteResult } from '../../protocol/result.ts';

const problem = { op: 'matmul', shape: { m: 16, n: 16, k: 16 }, dtype: 'f32' } as const;
const tiled = defaultWasmGenome(problem);
const source: Genome = { op: 'matmul', backend: 'wasm', family: 'source', language: 'wat', text: matmulWat(tiled, problem) };
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

describe('promotionForgery', () => {
  const other = { ...tiled, mr: 2 };
  const job = PromoteJob.parse({ v: 1, kind: 'promote', jobId: 'p-1', campaignId: 'c-1', problem, genomes: [tiled, other], rounds: 2, seed: 3, budgets: {}, worker: 'w', deviceClassId: 'dc1' });
  const device = { id: 'dc1', label: 'cpu', facts: { backend: 'wasm', cpu: 'x', cores: 1, arch: 'x64', node: '20', v8: '11', simd: true, relaxedSimd: true } } as const;
  const t = { medianMs: 1, baselineMedianMs: 2 };
  const honest: PromoteResult = {
    v: 1,
    kind: 'promote',
    jobId: 'p-1',
    campaignId: 'c-1',
    kernels: [tiled, other].map((g) => ({ genomeHash: genomeHash(g), status: 'ok' as const, kernel: { language: 'wat' as const, text: matmulWat(g, problem) } })),
    rounds: [
      [t, t],
      [t, null],
    ],
    orders: [
      [1, 0],
      [0, 1],
    ],
    deviceClass: device,
    worker: 'w#2',
    elapsedMs: 5,
  };

  it("accepts the named worker's answer with codegen's kernels, a permutation per round", () => {
    expect(promotionForgery(honest, job)).toBeUndefined();
  });

  it('refuses a forged kernel, a missing one, another worker or device class, extra rounds, a bad order, timings of a kernel that failed', () => {
    const forged = { ...honest, kernels: [honest.kernels[0]!, { ...honest.kernels[1]!, kernel: { language: 'wat' as const, text: NO_OP } }] };
    expect(promotionForgery(forged, job)).toMatch(/kernel 1: its kernel is not the job's/);
    expect(promotionForgery({ ...honest, kernels: [honest.kernels[0]!] }, job)).toMatch(/answers 1 kernels; the job has 2/);
    expect(promotionForgery({ ...honest, kernels: [honest.kernels[1]!, honest.kernels[0]!] }, job)).toMatch(/its kernel 0 is not the job's genome 0/);
    expect(promotionForgery({ ...honest, worker: 'mallory#1' }, job)).toMatch(/the job was for worker "w"/);
    expect(promotionForgery({ ...honest, deviceClass: { ...device, id: 'dc2' } }, job)).toMatch(/device class dc2; the job wants dc1/);
    expect(promotionForgery({ ...honest, rounds: [...honest.rounds, [t, t]], orders: [...honest.orders, [0, 1]] }, job)).toMatch(/3 rounds/);
    expect(promotionForgery({ ...honest, orders: [[0, 0], [0, 1]] }, job)).toMatch(/round 0's order is not a permutation/);
    expect(promotionForgery({ ...honest, rounds: [[t], [t, null]] }, job)).toMatch(/round 0 times 1 kernels/);
    const failed = { ...honest, kernels: [honest.kernels[0]!, { genomeHash: genomeHash(other), status: 'rejected' as const, stage: 'numerics' }] };
    expect(promotionForgery(failed, job)).toMatch(/round 0 times kernel 1, which did not verify/);
    expect(promotionForgery({ ...failed, rounds: [[t, null], [t, null]] }, job)).toBeUndefined();
  });
});
