import { genomeHash, type Genome } from '../genome/genome.ts';
import { problemKey, type Problem } from '../genome/ops/index.ts';
import { canonicalHash } from '../lib/hash.ts';
import type { Logger } from '../lib/log.ts';
import { PROTOCOL_VERSION, type Budgets, type KernelJob } from '../protocol/job.ts';
import type { Result } from '../protocol/result.ts';
import type { ResultRouter } from './results.ts';
import type { Store } from './store/store.ts';
import type { Scored, Strategy } from './strategies/strategy.ts';
import type { Transport } from './transport/transport.ts';

export interface GenerationContext {
  readonly campaignId: string;
  readonly problem: Problem;
  readonly deviceClassId: string;
  readonly budgets: Budgets;
  readonly store: Store;
  readonly transport: Transport;
  /** The campaign's one reader of transport.results(); it ingests every kernel result. */
  readonly results: ResultRouter;
  /** Jobs an earlier run published and saw no result for: a durable transport still holds them. */
  readonly published: Set<string>;
  readonly log: Logger;
  readonly signal?: AbortSignal;
}

export interface GenerationOutcome {
  readonly asked: number;
  readonly cached: number;
  readonly scored: readonly Scored[];
}

/** Deterministic, so a re-asked genome after a crash maps to the job already pending. */
export function jobIdFor(campaignId: string, problem: Problem, hash: string, deviceClassId: string): string {
  return `j-${canonicalHash({ campaignId, problem: problemKey(problem), genome: hash, device: deviceClassId })}`;
}

/**
 * One generation: ask, answer what the store already knows, submit the rest,
 * wait for every result, then tell the strategy in proposal order (never in
 * completion order, so a seeded campaign proposes the same genomes on a re-run
 * whatever the timing).
 */
export async function runGeneration(ctx: GenerationContext, strategy: Strategy, n: number): Promise<GenerationOutcome | null> {
  const proposals = await strategy.ask(n);
  if (proposals.length === 0) return null;
  const scored: (Scored | undefined)[] = new Array(proposals.length);
  const waiting = new Map<string, { indices: number[]; result: Promise<Result> }>();
  const submissions: Promise<void>[] = [];
  let cached = 0;
  for (const [i, proposal] of proposals.entries()) {
    const hash = ctx.store.recordGenome({ genome: proposal.genome, campaignId: ctx.campaignId, parents: proposal.parents, operator: proposal.operator });
    const known = ctx.store.cached(ctx.problem, hash, ctx.deviceClassId);
    if (known) {
      scored[i] =
        known.status === 'ok' && known.timing
          ? { genome: proposal.genome, fitness: known.timing.speedup }
          : { genome: proposal.genome, fitness: null, reason: `${known.status} at ${known.stage ?? '?'}: ${known.reason ?? ''}` };
      cached++;
      continue;
    }
    const jobId = jobIdFor(ctx.campaignId, ctx.problem, hash, ctx.deviceClassId);
    const same = waiting.get(jobId);
    if (same) {
      same.indices.push(i);
      continue;
    }
    const result = ctx.results.wait(jobId);
    result.catch(() => {}); // observed below; this only keeps a wait abandoned by a failed submit from going unhandled
    waiting.set(jobId, { indices: [i], result });
    if (ctx.published.has(jobId) && ctx.transport.durable) continue;
    const job = makeJob(ctx, jobId, proposal.genome);
    ctx.store.recordJob(job);
    // In flight together: one publish round trip at a time would cap a generation at a few hundred jobs a second.
    submissions.push(ctx.transport.submit(job).then(() => ctx.store.markPublished(jobId)));
  }
  await Promise.all(submissions);
  const entries = [...waiting.values()];
  const outcomes = await untilAborted(Promise.all(entries.map((entry) => entry.result)), ctx.signal);
  entries.forEach(({ indices }, n) => {
    for (const i of indices) scored[i] = scoredOf(proposals[i]!.genome, outcomes[n]!);
  });
  const all = scored as Scored[];
  strategy.tell(all);
  return { asked: proposals.length, cached, scored: all };
}

function makeJob(ctx: GenerationContext, jobId: string, genome: Genome): KernelJob {
  return {
    v: PROTOCOL_VERSION,
    kind: 'kernel',
    jobId,
    campaignId: ctx.campaignId,
    problem: ctx.problem,
    genome,
    // Inputs are seeded per genome, so the same genome sees the same data on a re-run.
    seed: Number.parseInt(genomeHash(genome).slice(0, 8), 16),
    budgets: ctx.budgets,
    deviceClassId: ctx.deviceClassId,
  };
}

function scoredOf(genome: Genome, result: Result): Scored {
  if (result.kind !== 'kernel') throw new Error(`job ${result.jobId} was answered by a ${result.kind} result`);
  if (result.status === 'ok' && result.timing) return { genome, fitness: result.timing.speedup };
  return { genome, fitness: null, reason: `${result.status} at ${result.stage ?? '?'}: ${result.reason ?? ''}` };
}

/** One abort listener for the whole generation, however many jobs it waits for. */
function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
