import { genomeHash, type Genome } from '../genome/genome.ts';
import { problemKey, type Problem } from '../genome/ops/index.ts';
import { canonicalHash } from '../lib/hash.ts';
import type { Logger } from '../lib/log.ts';
import { PROTOCOL_VERSION, type Budgets, type KernelJob } from '../protocol/job.ts';
import type { KernelResult, Result } from '../protocol/result.ts';
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
  /** One iterator over transport.results() for the whole campaign. */
  readonly results: AsyncIterator<Result>;
  /** Jobs recorded as pending in an earlier run: a durable transport still holds them. */
  readonly pending: Set<string>;
  readonly log: Logger;
  readonly signal?: AbortSignal;
  /** Called for every result ingested, whichever generation it belongs to. */
  onResult(result: KernelResult, fresh: boolean): void;
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
  const waiting = new Map<string, number[]>();
  let cached = 0;
  for (const [i, proposal] of proposals.entries()) {
    const hash = ctx.store.recordGenome({ genome: proposal.genome, campaignId: ctx.campaignId, parents: proposal.parents, operator: proposal.operator });
    const known = ctx.store.cached(ctx.problem, hash, ctx.deviceClassId);
    if (known) {
      scored[i] = { genome: proposal.genome, fitness: known.status === 'ok' && known.timing ? known.timing.speedup : null };
      cached++;
      continue;
    }
    const jobId = jobIdFor(ctx.campaignId, ctx.problem, hash, ctx.deviceClassId);
    const same = waiting.get(jobId);
    if (same) {
      same.push(i);
      continue;
    }
    waiting.set(jobId, [i]);
    if (ctx.pending.has(jobId) && ctx.transport.durable) continue;
    const job = makeJob(ctx, jobId, proposal.genome);
    ctx.store.recordJob(job);
    await ctx.transport.submit(job);
  }
  while (waiting.size > 0) {
    const result = await nextResult(ctx);
    const indices = waiting.get(result.jobId);
    if (!indices) continue;
    waiting.delete(result.jobId);
    for (const i of indices) scored[i] = { genome: proposals[i]!.genome, fitness: fitnessOf(result) };
  }
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

async function nextResult(ctx: GenerationContext): Promise<KernelResult> {
  for (;;) {
    const next = await raceAbort(ctx.results.next(), ctx.signal);
    if (next.done) throw new Error('the transport closed while jobs were outstanding');
    const result = next.value;
    if (result.kind !== 'kernel') continue; // reviews are answered to whoever asked for them, not to generations
    const fresh = ctx.store.ingest(result);
    ctx.onResult(result, fresh);
    return result;
  }
}

function fitnessOf(result: KernelResult): number | null {
  return result.status === 'ok' && result.timing ? result.timing.speedup : null;
}

function raceAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
