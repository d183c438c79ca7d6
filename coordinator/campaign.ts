import { randomBytes } from 'node:crypto';
import { spaceFor } from '../genome/spaces.ts';
import { problemKey } from '../genome/ops/index.ts';
import { KevoError } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import type { DeviceClass } from '../protocol/device.ts';
import type { Timing } from '../protocol/result.ts';
import { Checkpoint, emptyCheckpoint, startProgress, type ProblemProgress } from './checkpoint.ts';
import { chooseDevice } from './device-choice.ts';
import { runGeneration } from './generation.ts';
import { promoteBest, type GateOutcome } from './gate.ts';
import { ResultRouter } from './results.ts';
import { parseSpec, specProblems, type CampaignSpec } from './spec.ts';
import { compareBest } from './store/best.ts';
import type { Store } from './store/store.ts';
import { LlmStrategy } from './strategies/llm.ts';
import { strategyFor } from './strategy-for.ts';
import type { LlmUsage } from '../llm/ledger.ts';
import { Budgets } from '../protocol/job.ts';
import type { Transport } from './transport/transport.ts';

export interface Progress {
  readonly campaignId: string;
  readonly problem: string;
  readonly asked: number;
  readonly budget: number | undefined;
  /** Counted for this run: evaluated now, answered from the store, failed. */
  readonly evaluated: number;
  readonly cached: number;
  readonly failures: number;
  readonly bestGflops: number | undefined;
  readonly bestSpeedup: number | undefined;
  readonly workers: number;
  /** Jobs submitted and not answered yet. */
  readonly outstanding: number;
  /** LLM calls, tokens and cost so far, when the campaign uses an LLM. */
  readonly llm: LlmUsage | undefined;
}

export interface CampaignRun {
  readonly campaignId: string;
  readonly status: 'done' | 'stopped';
  readonly deviceClass: DeviceClass;
  readonly evaluations: number;
  readonly cached: number;
  readonly failures: number;
  /** What the promotion gate did, per problem key (absent: not run, nothing to promote, or no worker to do it). */
  readonly promotions: Readonly<Record<string, GateOutcome>>;
}

export interface CampaignContext {
  readonly store: Store;
  readonly transport: Transport;
  readonly log: Logger;
  /** Aborting stops the campaign after recording what finished; `kevo campaign resume` goes on. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
}

export function newCampaignId(): string {
  return `c-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Records a validated spec as a new campaign and returns its id. */
export function createCampaign(store: Store, spec: CampaignSpec, id = newCampaignId()): string {
  store.createCampaign({ id, name: spec.name, spec, strategy: spec.strategy });
  return id;
}

/**
 * Runs (or resumes) a campaign until every problem's budget is spent or the
 * signal aborts. The coordinator computes nothing itself: the strategy proposes,
 * the store answers what it already knows, the transport evaluates the rest.
 */
export async function runCampaign(campaignId: string, ctx: CampaignContext): Promise<CampaignRun> {
  const row = ctx.store.campaign(campaignId);
  if (!row) throw new KevoError('NOT_FOUND', `no campaign "${campaignId}"`);
  const spec = parseSpec(row.spec, `campaign ${campaignId} spec`);
  const checkpoint = row.checkpoint ? Checkpoint.parse(row.checkpoint) : emptyCheckpoint();
  const log = ctx.log.child({ campaignId });
  const device = await chooseDevice(ctx.transport, {
    backend: spec.backend,
    wanted: row.deviceClassId ?? spec.device,
    log,
    signal: ctx.signal,
  }).catch((error: unknown) => {
    if (!ctx.signal?.aborted) throw error;
    ctx.store.updateCampaign(campaignId, { status: 'stopped' });
    throw new KevoError('UNAVAILABLE', `campaign ${campaignId} stopped while waiting for a worker that can run ${spec.backend}; resume it when one is up`);
  });
  ctx.store.recordDevice(device);
  ctx.store.updateCampaign(campaignId, { status: 'running', deviceClassId: device.id });
  log.info({ device: device.label, deviceClassId: device.id, transport: ctx.transport.name }, 'campaign running');

  const started = performance.now();
  const secondsSpent = () => checkpoint.seconds + (performance.now() - started) / 1000;
  const counts = { evaluated: 0, cached: 0, failures: 0 };
  const published = ctx.store.publishedPendingJobIds(campaignId);
  const budgets = Budgets.parse(spec.timing);
  let best: Timing | undefined;
  const results = new ResultRouter(
    campaignId,
    ctx.transport.results(),
    ctx.store,
    (result, fresh) => {
      if (!fresh) return;
      counts.evaluated++;
      if (result.status !== 'ok') counts.failures++;
      else if (result.timing && (!best || compareBest(result.timing, best) < 0)) best = result.timing;
      log.debug({ jobId: result.jobId, status: result.status, stage: result.stage, gflops: result.timing?.gflops, speedup: result.timing?.speedup }, 'evaluated');
    },
    log,
    () => ctx.transport.workers(),
  );
  let stopped = false;

  for (const problem of specProblems(spec)) {
    const key = problemKey(problem);
    const progress: ProblemProgress = checkpoint.problems[key] ?? startProgress();
    const space = spaceFor(problem, spec.backend, device);
    const strategy = await strategyFor(spec, space, progress, { ctx, campaignId, problem, device, results, log });
    const report = async () =>
      ctx.onProgress?.({
        campaignId,
        problem: key,
        asked: progress.asked,
        budget: spec.budget.evaluations,
        ...counts,
        bestGflops: best?.gflops,
        bestSpeedup: best?.speedup,
        workers: (await ctx.transport.workers()).length,
        outstanding: results.waiting,
        llm: strategy instanceof LlmStrategy ? strategy.usage() : undefined,
      });
    await report();
    while (!progress.done) {
      if (ctx.signal?.aborted) {
        stopped = true;
        break;
      }
      const left = (spec.budget.evaluations ?? Infinity) - progress.asked;
      if (left <= 0 || (spec.budget.seconds !== undefined && secondsSpent() >= spec.budget.seconds)) {
        progress.done = true;
        break;
      }
      let outcome;
      try {
        outcome = await runGeneration(
          {
            campaignId,
            problem,
            deviceClassId: device.id,
            budgets,
            store: ctx.store,
            transport: ctx.transport,
            results,
            published,
            log,
            signal: ctx.signal,
          },
          strategy,
          Math.min(spec.population, left),
        );
      } catch (error) {
        if (ctx.signal?.aborted) {
          stopped = true;
          break;
        }
        // Finished generations are stored and checkpointed: `kevo campaign resume` goes on from there.
        ctx.store.updateCampaign(campaignId, { status: 'failed' });
        throw error;
      }
      if (outcome === null) {
        progress.done = true; // the space has nothing left to propose
        break;
      }
      progress.generation++;
      progress.asked += outcome.asked;
      progress.cached += outcome.cached;
      counts.cached += outcome.cached;
      progress.strategy = strategy.state();
      checkpoint.problems[key] = progress;
      ctx.store.updateCampaign(campaignId, { checkpoint: { ...checkpoint, seconds: secondsSpent() } });
      await report();
    }
    checkpoint.problems[key] = progress;
    if (stopped) break;
  }
  const promotions: Record<string, GateOutcome> = {};
  const gated = stopped || spec.promote === 0 ? [] : specProblems(spec);
  for (const problem of gated) {
    try {
      const outcome = await promoteBest(
        { campaignId, store: ctx.store, transport: ctx.transport, results, log, signal: ctx.signal },
        { problem, deviceClassId: device.id, top: spec.promote, rounds: spec.promoteRounds, seed: spec.seed, budgets },
      );
      if (outcome) promotions[problemKey(problem)] = outcome;
    } catch (error) {
      if (ctx.signal?.aborted) {
        stopped = true;
        break;
      }
      // The search's results stand without it: say so, and report the best unpromoted.
      log.warn({ err: error, problem: problemKey(problem) }, 'the promotion gate failed');
    }
  }
  const status = stopped ? 'stopped' : 'done';
  ctx.store.updateCampaign(campaignId, { status, checkpoint: { ...checkpoint, seconds: secondsSpent() } });
  log.info({ status, ...counts }, 'campaign finished');
  return { campaignId, status, deviceClass: device, evaluations: counts.evaluated, cached: counts.cached, failures: counts.failures, promotions };
}
