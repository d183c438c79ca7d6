import type { Genome } from '../genome/genome.ts';
import type { Problem } from '../genome/ops/problem.ts';
import type { SearchSpace } from '../genome/space.ts';
import type { Logger } from '../lib/log.ts';
import type { DeviceClass } from '../protocol/device.ts';
import { LLM_CAPABILITY } from '../protocol/job.ts';
import type { CampaignContext } from './campaign.ts';
import { llmRecords } from './llm-records.ts';
import type { ProblemProgress } from './checkpoint.ts';
import type { ResultRouter } from './results.ts';
import { transportReviewer } from './review.ts';
import type { CampaignSpec } from './spec.ts';
import { createStrategy } from './strategies/index.ts';
import { createLlmStrategy, innerState } from './strategies/llm-create.ts';
import type { Strategy } from './strategies/strategy.ts';

/**
 * The spec's strategy, wrapped in the LLM strategy when the spec asks for one.
 * Reviews go to a worker with the `llm` capability when one is live, else to
 * the endpoint from this process.
 */
export async function strategyFor(
  spec: CampaignSpec,
  space: SearchSpace<Genome>,
  progress: ProblemProgress,
  env: { ctx: CampaignContext; campaignId: string; problem: Problem; device: DeviceClass; results: ResultRouter; log: Logger },
): Promise<Strategy<Genome>> {
  const options = { seed: spec.seed, population: spec.population };
  if (!spec.llm) return createStrategy(spec.strategy, space, { ...options, state: progress.strategy });
  const inner = createStrategy(spec.strategy, space, { ...options, state: innerState(progress.strategy) });
  const reviewWorkers = (await env.ctx.transport.workers()).filter((w) => w.backends.includes(LLM_CAPABILITY));
  const reviewer =
    spec.llm.review !== 'off' && reviewWorkers.length > 0
      ? transportReviewer({
          campaignId: env.campaignId,
          transport: env.ctx.transport,
          results: env.results,
          timeoutMs: spec.llm.timeoutMs * (spec.llm.maxRetries + 1) + 30_000,
          signal: env.ctx.signal,
        })
      : undefined;
  return createLlmStrategy(inner, space, {
    ...spec.llm,
    records: llmRecords(env.ctx.store, env.campaignId),
    problem: env.problem,
    device: env.device,
    seed: spec.seed,
    log: env.log,
    state: progress.strategy,
    ...(reviewer ? { reviewer } : {}),
  });
}
