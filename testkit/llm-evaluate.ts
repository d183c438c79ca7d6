import type { Genome } from '../genome/genome.ts';
import type { Problem } from '../genome/ops/problem.ts';
import type { Scored } from '../coordinator/strategies/strategy.ts';
import { PROTOCOL_VERSION, type KernelJob } from '../protocol/job.ts';
import type { KernelResult } from '../protocol/result.ts';
import type { WasmPool } from '../worker/pool.ts';

/** Short budgets: these tests judge correctness and catches, not speed. */
const budgets = { deadlineMs: 4_000, timingMs: 5, minSamples: 1, maxSamples: 3 };

let next = 0;

/** Genomes through the real worker pool (verifiers, deadline, timing), as a campaign would evaluate them. */
export async function evaluate(pool: WasmPool, problem: Problem, genomes: readonly Genome[]): Promise<KernelResult[]> {
  return Promise.all(
    genomes.map((genome) => {
      const job: KernelJob = { v: PROTOCOL_VERSION, kind: 'kernel', jobId: `llm-test-${next++}`, campaignId: 'c1', problem, genome, seed: next, budgets };
      return pool.evaluate(job);
    }),
  );
}

/** A result as the strategy hears it: speedup when ok, null with the reason otherwise. */
export function scored(result: KernelResult): Scored<Genome> & { reason?: string } {
  if (result.status === 'ok') return { genome: result.genome, fitness: result.timing!.speedup };
  return { genome: result.genome, fitness: null, reason: `${result.stage ?? result.status}: ${result.reason ?? ''}` };
}
