import { genomeHash, type Genome } from '../genome/genome.ts';
import { problemKey, type Problem } from '../genome/ops/index.ts';
import { canonicalHash } from '../lib/hash.ts';
import type { Logger } from '../lib/log.ts';
import { bootstrapMedian, overlaps, type Interval } from '../lib/stats.ts';
import { PROTOCOL_VERSION, type Budgets, type PromoteJob } from '../protocol/job.ts';
import type { PromoteResult } from '../protocol/result.ts';
import type { WorkerInfo } from '../protocol/worker-info.ts';
import { promotionForgery } from './acceptance.ts';

/** Where a promote job should run: a live worker of the device class, another than the finders' where there is one. */
export interface PromotionTarget {
  readonly worker: string;
  /** Not one of the workers that found the kernels. */
  readonly elsewhere: boolean;
}

/**
 * Prefer a live worker of the device class that found none of the kernels
 * (its timings are independent of the finder's load and luck); else a finder
 * itself. Undefined when no live worker has the class.
 */
export function promotionTarget(workers: readonly WorkerInfo[], deviceClassId: string, finders: ReadonlySet<string>): PromotionTarget | undefined {
  const able = workers.filter((w) => w.deviceClasses.some((d) => d.id === deviceClassId));
  const other = able.find((w) => !finders.has(w.name));
  if (other) return { worker: other.name, elsewhere: true };
  return able[0] ? { worker: able[0].name, elsewhere: false } : undefined;
}

/** Its id derives from what it asks and `nonce`: a promotion asked again (a resumed campaign) is a new job, never one the stream drops as a duplicate. */
export function promoteJob(args: {
  nonce: string;
  campaignId: string;
  problem: Problem;
  genomes: readonly Genome[];
  rounds: number;
  seed: number;
  budgets: Budgets;
  deviceClassId?: string;
  worker?: string;
  freshThread?: boolean;
}): PromoteJob {
  const { nonce, campaignId, problem, genomes, rounds, seed, budgets, deviceClassId, worker, freshThread } = args;
  const jobId = `p-${canonicalHash({ nonce, campaignId, problem: problemKey(problem), genomes: genomes.map(genomeHash), rounds, seed, deviceClassId, worker, freshThread })}`;
  return {
    v: PROTOCOL_VERSION,
    kind: 'promote',
    jobId,
    campaignId,
    problem,
    genomes: [...genomes],
    rounds,
    seed,
    budgets,
    ...(deviceClassId !== undefined ? { deviceClassId } : {}),
    ...(worker !== undefined ? { worker } : {}),
    ...(freshThread ? { freshThread } : {}),
  };
}

/** One kernel's re-timing: its per-round speedups and, from two rounds on, their median with a bootstrap 95% interval. */
export interface KernelRetiming {
  readonly genomeHash: string;
  readonly status: string;
  readonly reason?: string;
  readonly ratios: number[];
  readonly interval?: Interval;
}

/** Each kernel's speedups over the baseline, round by round, and the interval they give (seeded by the job). */
export function retimings(result: PromoteResult, seed: number): KernelRetiming[] {
  return result.kernels.map((kernel, i) => {
    const ratios = result.rounds.flatMap((round) => (round[i] ? [round[i]!.baselineMedianMs / round[i]!.medianMs] : []));
    return {
      genomeHash: kernel.genomeHash,
      status: kernel.status,
      ...(kernel.reason !== undefined ? { reason: `${kernel.status} at ${kernel.stage ?? '?'}: ${kernel.reason}` } : {}),
      ratios,
      ...(ratios.length >= 2 ? { interval: bootstrapMedian(ratios, { seed }) } : {}),
    };
  });
}

/**
 * Whether to take a promote job's answer: from a worker seen live, and what
 * the job asked for (acceptance.ts). A refusal is logged and the caller goes
 * on without it: a refused promotion promotes nothing.
 */
export async function acceptPromotion(
  result: PromoteResult,
  job: PromoteJob,
  isLive: (worker: string) => Promise<boolean>,
  log: Logger,
): Promise<PromoteResult | undefined> {
  const reason = (await isLive(result.worker)) ? promotionForgery(result, job) : 'that worker was never seen live';
  if (reason === undefined) return result;
  log.warn({ jobId: job.jobId, worker: result.worker, reason }, 'refused a promote result');
  return undefined;
}

/** A ranked kernel's promotion as reports show it: the promoted speedup, its interval, where it was re-timed. */
export interface Promoted {
  readonly speedup: number;
  readonly low: number;
  readonly high: number;
  readonly rounds: number;
  readonly worker: string;
  readonly elsewhere: boolean;
  /** Re-timed on the finder, on a thread started for the promotion (not the search's warm one). */
  readonly freshThread: boolean;
  /** Its interval overlaps the next or previous promoted kernel's: the two are not told apart. */
  readonly tie: boolean;
}

/**
 * Each ranked item with its promotion (when it has one with an interval),
 * ties marked between neighbours in the ranking whose intervals overlap.
 */
export function withPromotions<R>(
  rows: readonly R[],
  promotionOf: (row: R) => { interval?: Interval; ratios: readonly number[]; worker: string; elsewhere: boolean; freshThread: boolean } | undefined,
): (R & { promoted?: Promoted })[] {
  const found = rows.map(promotionOf).map((p) => (p?.interval ? { ...p, interval: p.interval } : undefined));
  const promotedNeighbours = found.flatMap((p, i) => (p ? [i] : []));
  return rows.map((row, i): R & { promoted?: Promoted } => {
    const p = found[i];
    if (!p) return { ...row, promoted: undefined };
    const at = promotedNeighbours.indexOf(i);
    const neighbours = [promotedNeighbours[at - 1], promotedNeighbours[at + 1]].flatMap((j) => (j === undefined ? [] : [found[j]!]));
    const tie = neighbours.some((n) => overlaps(n.interval, p.interval));
    return { ...row, promoted: { speedup: p.interval.estimate, low: p.interval.low, high: p.interval.high, rounds: p.ratios.length, worker: p.worker, elsewhere: p.elsewhere, freshThread: p.freshThread, tie } };
  });
}
