import { describe, expect, it } from 'vitest';
import { acceptPromotion, promoteJob, promotionTarget, retimings, withPromotions } from '../../coordinator/promotion.ts';
import { familyOf } from '../../genome/families/registry.ts';
import { capturingLogger } from '../helpers/log.ts';
import { defaultWasmGenome } from '../../genome/wasm/baseline.ts';
import { genomeHash } from '../../genome/genome.ts';
import { Budgets } from '../../protocol/job.ts';
import type { PromoteResult } from '../../protocol/result.ts';
import type { WorkerInfo } from '../../protocol/worker-info.ts';
import { TEST_DEVICE_CLASS } from '../../testkit/sleep-evaluator.ts';

const problem = { op: 'matmul', shape: { m: 16, n: 16, k: 16 }, dtype: 'f32' } as const;
const genome = defaultWasmGenome(problem);
const worker = (name: string, deviceClassId = TEST_DEVICE_CLASS.id): WorkerInfo => ({
  name,
  deviceClasses: [{ ...TEST_DEVICE_CLASS, id: deviceClassId }],
  backends: ['wasm'],
  threads: 1,
  jobsDone: 0,
  version: 'x',
  lastSeen: '',
});

describe('promotionTarget', () => {
  it('prefers a live worker of the class that found none of the kernels, else a finder, else none', () => {
    const id = TEST_DEVICE_CLASS.id;
    expect(promotionTarget([worker('a'), worker('b'), worker('c', 'other')], id, new Set(['a']))).toEqual({ worker: 'b', elsewhere: true });
    expect(promotionTarget([worker('a'), worker('c', 'other')], id, new Set(['a']))).toEqual({ worker: 'a', elsewhere: false });
    expect(promotionTarget([worker('c', 'other')], id, new Set(['a']))).toBeUndefined();
  });
});

describe('promoteJob', () => {
  it('names its target and class, and a new nonce makes a new job', () => {
    const args = { nonce: 'n1', campaignId: 'c', problem, genomes: [genome], rounds: 5, seed: 1, budgets: Budgets.parse({}), deviceClassId: 'd', worker: 'w' };
    const job = promoteJob(args);
    expect(job).toMatchObject({ kind: 'promote', rounds: 5, worker: 'w', deviceClassId: 'd', genomes: [genome] });
    expect(promoteJob(args).jobId).toBe(job.jobId);
    expect(promoteJob({ ...args, nonce: 'n2' }).jobId).not.toBe(job.jobId);
    expect(job.freshThread).toBeUndefined();
    const fresh = promoteJob({ ...args, freshThread: true });
    expect(fresh.freshThread).toBe(true);
    expect(fresh.jobId).not.toBe(job.jobId);
  });
});

describe('retimings', () => {
  it('turns rounds into per-kernel speedups and an interval from two timed rounds on', () => {
    const result: PromoteResult = {
      v: 1,
      kind: 'promote',
      jobId: 'p',
      campaignId: 'c',
      kernels: [
        { genomeHash: genomeHash(genome), status: 'ok' },
        { genomeHash: 'x', status: 'rejected', stage: 'numerics', reason: 'wrong' },
      ],
      rounds: [
        [{ medianMs: 1, baselineMedianMs: 2 }, null],
        [{ medianMs: 1, baselineMedianMs: 3 }, null],
        [{ medianMs: 2, baselineMedianMs: 5 }, null],
      ],
      orders: [
        [0, 1],
        [1, 0],
        [0, 1],
      ],
      worker: 'w',
      elapsedMs: 1,
    };
    const [ok, failed] = retimings(result, 7);
    expect(ok!.ratios).toEqual([2, 3, 2.5]);
    expect(ok!.interval!.estimate).toBe(2.5);
    expect(ok!.interval!.low).toBeGreaterThanOrEqual(2);
    expect(ok!.interval!.high).toBeLessThanOrEqual(3);
    expect(failed).toEqual({ genomeHash: 'x', status: 'rejected', reason: 'rejected at numerics: wrong', ratios: [] });
  });
});

describe('withPromotions', () => {
  const promo = (low: number, high: number) => ({ interval: { estimate: (low + high) / 2, low, high }, ratios: [low, high], worker: 'w', elsewhere: true, freshThread: false });

  it('marks a tie where neighbours in the ranking overlap, skipping kernels without an interval', () => {
    const rows = ['a', 'b', 'c', 'd'];
    const found: Record<string, ReturnType<typeof promo> | undefined> = { a: promo(2, 3), b: promo(2.5, 2.8), c: undefined, d: promo(1, 1.5) };
    const out = withPromotions(rows.map((id) => ({ id })), (row) => found[row.id]);
    expect(out.map((r) => r.promoted?.tie)).toEqual([true, true, undefined, false]);
    expect(out[0]!.promoted).toMatchObject({ speedup: 2.5, low: 2, high: 3, rounds: 2, worker: 'w', elsewhere: true, freshThread: false });
  });
});

describe('acceptPromotion', () => {
  const job = promoteJob({ nonce: 'n', campaignId: 'c', problem, genomes: [genome], rounds: 1, seed: 1, budgets: Budgets.parse({}), worker: 'w' });
  const result: PromoteResult = {
    v: 1,
    kind: 'promote',
    jobId: job.jobId,
    campaignId: 'c',
    kernels: [{ genomeHash: genomeHash(genome), status: 'ok', kernel: { language: 'wat', text: familyOf(problem, genome).code(genome, problem).text } }],
    rounds: [[{ medianMs: 1, baselineMedianMs: 2 }]],
    orders: [[0]],
    worker: 'w#1',
    elapsedMs: 1,
  };

  it('takes an honest answer from a live worker, and refuses (logging why) one from a worker never seen live or a forged one', async () => {
    const captured = capturingLogger();
    expect(await acceptPromotion(result, job, async () => true, captured.log)).toBe(result);
    expect(await acceptPromotion(result, job, async () => false, captured.log)).toBeUndefined();
    const forged = { ...result, kernels: [{ ...result.kernels[0]!, kernel: { language: 'wat' as const, text: '(module)' } }] };
    expect(await acceptPromotion(forged, job, async () => true, captured.log)).toBeUndefined();
    expect(captured.lines.filter((l) => l.msg === 'refused a promote result').map((l) => l.reason)).toEqual([
      'that worker was never seen live',
      "kernel 0: its kernel is not the job's (not what codegen makes of its genome)",
    ]);
  });
});
