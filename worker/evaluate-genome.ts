import type { Genome } from '../genome/genome.ts';
import { genomeHash } from '../genome/genome.ts';
import type { Problem } from '../genome/ops/problem.ts';
import { Budgets, PROTOCOL_VERSION } from '../protocol/job.ts';
import type { KernelResult } from '../protocol/result.ts';
import { Evaluator } from './evaluator.ts';

/**
 * One genome, verified and timed on this machine, with no campaign, store or
 * server: for scripts, notebooks and tests. Starts a one-thread pool for the
 * genome's backend and closes it after.
 */
export async function evaluateGenome(
  problem: Problem,
  genome: Genome,
  options: { budgets?: Partial<Budgets>; relaxedSimd?: boolean; seed?: number } = {},
): Promise<KernelResult> {
  const evaluator = await Evaluator.create({ threads: 1, backends: [genome.backend], relaxedSimd: options.relaxedSimd ?? true, name: 'script' });
  try {
    return await evaluator.evaluate({
      v: PROTOCOL_VERSION,
      kind: 'kernel',
      jobId: `script-${genomeHash(genome)}`,
      campaignId: 'script',
      problem,
      genome,
      seed: options.seed ?? 1,
      budgets: Budgets.parse(options.budgets ?? {}),
    });
  } finally {
    await evaluator.close();
  }
}
