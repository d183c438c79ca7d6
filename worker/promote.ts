import { genomeHash } from '../genome/genome.ts';
import { Rng } from '../lib/rng.ts';
import { PROTOCOL_VERSION, type KernelJob, type PromoteJob } from '../protocol/job.ts';
import { answering } from '../protocol/envelope.ts';
import type { KernelResult, PromoteResult, RoundTiming } from '../protocol/result.ts';

/**
 * A promote job as rounds of kernel jobs on one runner, one job at a time: in
 * each round every genome, in an order shuffled per round (seeded by the job),
 * is verified and timed side by side with the baseline (ABAB on one thread:
 * worker/timing.ts), so drift between rounds hits every kernel alike and each
 * round gives one speedup per kernel. Verifying in every round means no round
 * times a kernel the harness did not pass on this worker; one that fails any
 * round is reported with that failure and no timings.
 */
export async function runPromotion(job: PromoteJob, evaluate: (job: KernelJob) => Promise<KernelResult>, worker: string): Promise<PromoteResult> {
  const start = performance.now();
  const rng = new Rng(job.seed);
  // Each kernel's first failure if it had one, else its first result: a kernel that fails any round is not promoted.
  const verdict: (KernelResult | undefined)[] = job.genomes.map(() => undefined);
  const rounds: (RoundTiming | null)[][] = [];
  const orders: number[][] = [];
  const threads = new Set<string>();
  for (let round = 0; round < job.rounds; round++) {
    const order = rng.shuffle(job.genomes.map((_, i) => i));
    const timings: (RoundTiming | null)[] = job.genomes.map(() => null);
    for (const i of order) {
      const result = await evaluate(kernelJob(job, i, round));
      threads.add(result.worker);
      if (!verdict[i] || (verdict[i]!.status === 'ok' && result.status !== 'ok')) verdict[i] = result;
      if (result.status === 'ok' && result.timing) timings[i] = { medianMs: result.timing.medianMs, baselineMedianMs: result.timing.baselineMedianMs };
    }
    orders.push(order);
    rounds.push(timings);
  }
  const deviceClass = verdict.find((r) => r?.deviceClass)?.deviceClass;
  const harnessVersion = verdict.find((r) => r?.harnessVersion)?.harnessVersion;
  return {
    ...answering('promote', job),
    kernels: verdict.map((result, i) => ({
      genomeHash: genomeHash(job.genomes[i]!),
      status: result!.status,
      ...(result!.stage ? { stage: result!.stage } : {}),
      ...(result!.reason ? { reason: result!.reason } : {}),
      ...(result!.kernel ? { kernel: result!.kernel } : {}),
    })),
    rounds: rounds.map((round) => round.map((timing, i) => (verdict[i]!.status === 'ok' ? timing : null))),
    orders,
    ...(deviceClass ? { deviceClass } : {}),
    ...(harnessVersion ? { harnessVersion } : {}),
    worker,
    threads: [...threads],
    elapsedMs: performance.now() - start,
  };
}

/** Genome i's kernel job in one round: a seed of its own per round, so each round verifies on fresh inputs. */
function kernelJob(job: PromoteJob, i: number, round: number): KernelJob {
  return {
    v: PROTOCOL_VERSION,
    kind: 'kernel',
    jobId: `${job.jobId}-r${round}-k${i}`,
    campaignId: job.campaignId,
    problem: job.problem,
    genome: job.genomes[i]!,
    seed: (job.seed + round * 7919) >>> 0,
    budgets: job.budgets,
    ...(job.deviceClassId !== undefined ? { deviceClassId: job.deviceClassId } : {}),
  };
}
