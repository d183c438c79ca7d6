import { randomBytes } from 'node:crypto';
import { HARNESS_VERSION } from '../verifiers/version.ts';
import type { Problem } from '../genome/ops/index.ts';
import { KevoError } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import type { Budgets } from '../protocol/job.ts';
import { acceptPromotion, promoteJob, promotionTarget, retimings, type KernelRetiming } from './promotion.ts';
import type { ResultRouter } from './results.ts';
import { PromotionStore } from './store/promotions.ts';
import type { Store } from './store/store.ts';
import type { Transport } from './transport/transport.ts';

/** How often the gate checks that the worker it asked is still live. */
const WATCH_MS = 5_000;

export interface GateContext {
  readonly campaignId: string;
  readonly store: Store;
  readonly transport: Transport;
  readonly results: ResultRouter;
  readonly log: Logger;
  readonly signal?: AbortSignal;
}

export interface GateOptions {
  readonly problem: Problem;
  readonly deviceClassId: string;
  /** How many of the best kernels to re-time. */
  readonly top: number;
  readonly rounds: number;
  readonly seed: number;
  readonly budgets: Budgets;
}

/** What the gate did for one problem: the kernels re-timed (best first, as ranked), where, and their intervals. */
export interface GateOutcome {
  readonly worker: string;
  readonly elsewhere: boolean;
  /** Re-timed on the finder in a fresh thread (not elsewhere). */
  readonly freshThread: boolean;
  readonly kernels: readonly (KernelRetiming & { kernelId: string })[];
}

/**
 * The promotion gate: before a campaign reports its best, the top kernels
 * for the problem on its device class are re-timed by one promote job,
 * interleaved with the baseline and each other over several rounds, on a
 * live worker of the class other than the one that found them where there is
 * one, else on the finder in a fresh thread (PromoteJob.freshThread), away
 * from the JIT and cache state its search left. Each kernel's per-round speedups and bootstrap
 * interval are stored; `kevo best` shows them. Undefined when there is
 * nothing to promote, no live worker of the class, or the answer was refused.
 */
export async function promoteBest(ctx: GateContext, opts: GateOptions): Promise<GateOutcome | undefined> {
  const rows = ctx.store.best(opts.problem, { deviceClassId: opts.deviceClassId, limit: opts.top, harnessVersion: HARNESS_VERSION });
  if (rows.length === 0) return undefined;
  const promotions = new PromotionStore(ctx.store);
  const finders = rows.map((row) => promotions.finder(row.evaluationId));
  const target = promotionTarget(await ctx.transport.workers(), opts.deviceClassId, new Set(finders.filter((f) => f !== undefined)));
  const log = ctx.log.child({ gate: opts.problem.op });
  if (!target) {
    log.warn({ deviceClassId: opts.deviceClassId }, 'no live worker of the device class: best not promoted');
    return undefined;
  }
  const job = promoteJob({
    nonce: randomBytes(6).toString('hex'),
    campaignId: ctx.campaignId,
    problem: opts.problem,
    genomes: rows.map((row) => row.genome),
    rounds: opts.rounds,
    seed: opts.seed,
    budgets: roundBudgets(opts.budgets),
    deviceClassId: opts.deviceClassId,
    worker: target.worker,
    freshThread: !target.elsewhere,
  });
  // Every round verifies and times every kernel once, each within its deadline; a target that stops heartbeating
  // will not answer (the job waits on its own route), so the wait ends when it leaves.
  const patience = AbortSignal.timeout(job.rounds * job.genomes.length * job.budgets.deadlineMs + 60_000);
  const gone = new AbortController();
  const watch = setInterval(() => {
    void ctx.transport.workers().then(
      (live) => {
        if (!live.some((w) => w.name === target.worker)) gone.abort(new KevoError('UNAVAILABLE', `worker ${target.worker} went away during the promotion`));
      },
      () => {}, // a failed listing proves nothing; the next one asks again
    );
  }, WATCH_MS);
  const answer = ctx.results.wait(job.jobId, AbortSignal.any([patience, gone.signal, ...(ctx.signal ? [ctx.signal] : [])]));
  answer.catch(() => {}); // awaited below; a failed submit must not leave it unhandled
  let result;
  try {
    await ctx.transport.submit(job);
    log.info({ jobId: job.jobId, worker: target.worker, elsewhere: target.elsewhere, freshThread: job.freshThread === true, kernels: rows.length, rounds: job.rounds }, 'promoting the best kernels');
    result = await answer;
  } finally {
    clearInterval(watch);
  }
  if (result.kind !== 'promote') throw new KevoError('FAILURE', `promote job ${job.jobId} was answered by a ${result.kind} result`);
  const accepted = await acceptPromotion(result, job, (worker) => ctx.results.isLive(worker), log);
  if (!accepted?.deviceClass) return undefined;
  // What the worker says it did: one that ran on its warm thread is not recorded as fresh.
  const freshThread = accepted.freshThread === true;
  const kernels = retimings(accepted, job.seed).map((k, i) => ({ ...k, kernelId: rows[i]!.kernelId }));
  promotions.record(
    kernels.map((k, i) => ({
      kind: 'gate',
      campaignId: ctx.campaignId,
      jobId: job.jobId,
      problem: opts.problem,
      genomeHash: k.genomeHash,
      deviceClass: accepted.deviceClass!,
      worker: accepted.worker,
      ...(finders[i] !== undefined ? { finder: finders[i] } : {}),
      elsewhere: target.elsewhere,
      freshThread,
      status: k.status,
      ratios: k.ratios,
      ...(k.interval ? { interval: k.interval } : {}),
    })),
  );
  return { worker: accepted.worker, elsewhere: target.elsewhere, freshThread, kernels };
}

/**
 * A round times each kernel for a third of a search evaluation's timing
 * budget: the interval comes from the spread between rounds, not from long
 * rounds, so the gate over k kernels and r rounds costs about r*k/3 evaluations.
 */
export function roundBudgets(budgets: Budgets): Budgets {
  return { ...budgets, timingMs: Math.max(1, Math.round(budgets.timingMs / 3)) };
}
