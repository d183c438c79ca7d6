import { genomeHash } from '../genome/genome.ts';
import { canonicalHash } from '../lib/hash.ts';
import { PROTOCOL_VERSION } from '../protocol/job.ts';
import type { Reviewer } from '../verifiers/llm-review.ts';
import type { ResultRouter } from './results.ts';
import type { Transport } from './transport/transport.ts';

/**
 * LLM reviews as jobs: each review goes through the transport to a worker
 * that advertises the `llm` capability, like any kernel job, and its verdict
 * comes back through the campaign's result router. A review that does not come
 * back in time throws, which the LLM strategy counts as 'unsure'. Its verdict
 * comes back marked `remote`: the strategy counts the worker's tokens against
 * the campaign's budget.
 */
export function transportReviewer(opts: {
  campaignId: string;
  transport: Transport;
  results: ResultRouter;
  timeoutMs: number;
  signal?: AbortSignal;
}): Reviewer {
  return async (genome, problem, seed) => {
    const jobId = `r-${canonicalHash({ campaignId: opts.campaignId, genome: genomeHash(genome), seed })}`;
    const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]) : AbortSignal.timeout(opts.timeoutMs);
    const answer = opts.results.wait(jobId, signal);
    answer.catch(() => {}); // awaited below; a failed submit must not leave it unhandled
    await opts.transport.submit({ v: PROTOCOL_VERSION, kind: 'review', jobId, campaignId: opts.campaignId, problem, genome, seed });
    const result = await answer;
    if (result.kind !== 'review') throw new Error(`review ${jobId} was answered by a ${result.kind} result`);
    return {
      review: result.review,
      ...(result.failure ? { failure: result.failure } : {}),
      promptTokens: result.promptTokens,
      completionTokens: result.completionTokens,
      ...(result.cached ? { cached: true } : {}),
      // A review no worker answered (a dead letter: model 'none') made no call to count.
      ...(result.model === 'none' ? {} : { remote: { model: result.model, ms: result.elapsedMs } }),
    };
  };
}
