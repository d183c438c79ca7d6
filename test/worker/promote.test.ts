import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { genomeHash } from '../../genome/genome.ts';
import { PromoteJob } from '../../protocol/job.ts';
import { Evaluator } from '../../worker/evaluator.ts';
import { naive, problem, sourceJob } from './jobs.ts';

/** Writes nothing: C stays poisoned, so the harness rejects it in every round. */
const NO_OP = '(module (import "env" "memory" (memory 1)) (func (export "matmul") (param i32 i32 i32 i32)))';

let evaluator: Evaluator;
beforeAll(async () => {
  evaluator = await Evaluator.create({ threads: 1, name: 'promoter' });
});
afterAll(() => evaluator.close());

it('a promote job is rounds of verify-and-time against the baseline, shuffled per round; a kernel that fails has no timings', async () => {
  const genomes = [sourceJob(naive()).genome, sourceJob(NO_OP).genome];
  const job = PromoteJob.parse({ v: 1, kind: 'promote', jobId: 'p-1', campaignId: 'test', problem, genomes, rounds: 4, seed: 9, budgets: sourceJob(naive()).budgets });
  const result = await evaluator.evaluate(job);
  expect(result).toMatchObject({ kind: 'promote', jobId: 'p-1', worker: 'promoter' });
  expect(result.kernels.map((k) => [k.genomeHash, k.status])).toEqual([
    [genomeHash(genomes[0]!), 'ok'],
    [genomeHash(genomes[1]!), 'rejected'],
  ]);
  expect(result.kernels[0]!.kernel?.text).toBe(naive());
  expect(result.rounds).toHaveLength(4);
  for (const round of result.rounds) {
    expect(round[0]!.medianMs).toBeGreaterThan(0);
    expect(round[0]!.baselineMedianMs).toBeGreaterThan(0);
    expect(round[1]).toBeNull();
  }
  for (const order of result.orders) expect([...order].sort()).toEqual([0, 1]);
  // Seeded: the same job shuffles the same way.
  expect((await evaluator.evaluate({ ...job, genomes: [genomes[0]!, genomes[0]!] })).orders).toEqual(result.orders);
  expect(result.deviceClass?.id).toBe((await evaluator.deviceClasses())[0]!.id);
});

it('a promote job that asks for a fresh thread runs its rounds on a thread started for it, ended before the answer; the warm pool stays', async () => {
  const started: { threadId: number; exited: boolean }[] = [];
  const onWorker = (thread: Worker) => {
    const seen = { threadId: thread.threadId, exited: false };
    started.push(seen);
    thread.once('exit', () => (seen.exited = true));
  };
  const warmThreads = (await evaluator.evaluate(sourceJob(naive()))).worker;
  process.on('worker', onWorker);
  try {
    const genomes = [sourceJob(naive()).genome];
    const job = PromoteJob.parse({ v: 1, kind: 'promote', jobId: 'p-fresh', campaignId: 'test', problem, genomes, rounds: 2, seed: 3, budgets: sourceJob(naive()).budgets, freshThread: true });
    const result = await evaluator.evaluate(job);
    expect(result).toMatchObject({ kind: 'promote', worker: 'promoter', freshThread: true });
    expect(result.kernels[0]!.status).toBe('ok');
    expect(result.rounds.every((round) => round[0] !== null)).toBe(true);
    // The rounds ran on the one thread started for the job, which has ended; the warm pool's thread is not it.
    expect(started).toHaveLength(1);
    expect(result.threads).toEqual([`promoter#${started[0]!.threadId}`]);
    expect(started[0]!.exited).toBe(true);
    expect(result.threads).not.toContain(warmThreads);
  } finally {
    process.off('worker', onWorker);
  }
  // Without the flag: the warm pool's thread, and no thread started.
  const warm = await evaluator.evaluate(PromoteJob.parse({ v: 1, kind: 'promote', jobId: 'p-warm', campaignId: 'test', problem, genomes: [sourceJob(naive()).genome], rounds: 1, seed: 3, budgets: sourceJob(naive()).budgets }));
  expect(warm.freshThread).toBeUndefined();
  expect(warm.threads).toEqual([warmThreads]);
  expect(started).toHaveLength(1);
});
