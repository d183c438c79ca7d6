import type { Problem } from '../genome/ops/problem.ts';
import type { SourceGenome } from '../genome/source.ts';
import { MemoryLlmCache } from '../llm/cache.ts';
import { LlmClient } from '../llm/client.ts';
import { abiText, opContractText } from '../llm/contract.ts';
import { apiKeyFromEnv, LlmEndpoint, type LlmEndpointInput } from '../llm/options.ts';
import { ReviewReply } from '../llm/replies.ts';
import { fill, template } from '../llm/templates.ts';
import { parseOrThrow } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import type { ReviewJob } from '../protocol/job.ts';
import { reviewResultFor, type ReviewResult, type ReviewVerdict } from '../protocol/result.ts';

export interface Review {
  readonly review: ReviewVerdict;
  /** Set when the LLM call failed: the verdict is then 'unsure', so a gate never blocks on a broken endpoint. */
  readonly failure?: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** The reply came from a cache: the tokens above are 0. */
  readonly cached?: boolean;
  /**
   * Set when the call was made elsewhere (a worker, through a review job): the
   * campaign's client never saw it, so the campaign must count it against its budget.
   */
  readonly remote?: { readonly model: string; readonly ms: number };
}

/** Reviews one source; the LLM strategy calls this (in process, or through review jobs on llm workers). */
export type Reviewer = (genome: SourceGenome, problem: Problem, seed: number) => Promise<Review>;

/** An LLM reads the source against the op contract and ABI. The source is only read, never run. */
export async function reviewSource(client: LlmClient, genome: SourceGenome, problem: Problem, seed: number): Promise<Review> {
  const contract = `${opContractText(problem)}\n\n${abiText(problem, genome.backend)}`;
  const content = fill(template('review'), { contract, language: genome.language, source: genome.text });
  const outcome = await client.complete({ purpose: 'review', messages: [{ role: 'user', content }], schema: ReviewReply, schemaName: 'review', seed });
  const spent = { promptTokens: outcome.call.promptTokens, completionTokens: outcome.call.completionTokens, ...(outcome.call.cached ? { cached: true } : {}) };
  if (!outcome.ok) return { review: { verdict: 'unsure', reasons: [] }, failure: `${outcome.failure}: ${outcome.reason}`, ...spent };
  const { verdict, reasons, suspectedLoophole } = outcome.value;
  return { review: { verdict, reasons, ...(suspectedLoophole ? { suspectedLoophole } : {}) }, ...spent };
}

/** A reviewer in this process over one client: for embedded campaigns and for the worker side below. */
export function clientReviewer(client: LlmClient): Reviewer {
  return (genome, problem, seed) => reviewSource(client, genome, problem, seed);
}

/**
 * The worker side of a `review` job: what the Evaluator calls for jobs of kind
 * 'review' on a worker that advertises the `llm` capability. Never throws for
 * anything the endpoint does: a failed call is an 'unsure' result with `failure`.
 */
export function reviewJobHandler(client: LlmClient, worker: string): (job: ReviewJob) => Promise<ReviewResult> {
  return async (job) => {
    const started = performance.now();
    const review = await reviewSource(client, job.genome, job.problem, job.seed);
    return reviewResultFor(job, {
      review: review.review,
      ...(review.failure ? { failure: review.failure } : {}),
      model: client.model,
      promptTokens: review.promptTokens,
      completionTokens: review.completionTokens,
      ...(review.cached ? { cached: true } : {}),
      worker,
      elapsedMs: performance.now() - started,
    });
  };
}

/**
 * A worker configured with an endpoint (`kevo worker --llm-base-url ... --llm-model ...`):
 * the key from KEVO_LLM_API_KEY, replies cached in memory so a redelivered job costs nothing.
 */
export function createReviewWorker(endpoint: LlmEndpointInput, worker: string, log?: Logger): (job: ReviewJob) => Promise<ReviewResult> {
  const parsed = parseOrThrow(LlmEndpoint, endpoint, 'LLM endpoint');
  const client = new LlmClient({ endpoint: parsed, apiKey: apiKeyFromEnv(), cache: new MemoryLlmCache(), ...(log ? { log } : {}) });
  return reviewJobHandler(client, worker);
}
