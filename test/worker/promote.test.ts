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
