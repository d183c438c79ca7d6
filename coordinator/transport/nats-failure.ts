import { z } from 'zod';
import { Genome, genomeHash } from '../../genome/genome.ts';
import { Problem } from '../../genome/ops/problem.ts';
import { failureResult, PROTOCOL_VERSION, type Result } from '../../protocol/index.ts';

/** Enough of a job, of either kind, to address a failure Result to it (even one whose other fields are invalid). */
export const AddressableJob = z.object({
  kind: z.enum(['kernel', 'review']),
  jobId: z.string().min(1).max(200),
  campaignId: z.string().min(1).max(200),
  problem: Problem,
  genome: Genome,
});
export type AddressableJob = z.infer<typeof AddressableJob>;

/**
 * The Result for a job no worker could evaluate (dead-lettered, or a message
 * a worker could not accept). A review has no status field: its verdict is
 * 'unsure' and `failure` says why, as for a failed LLM call.
 */
export function undeliverableResult(
  job: AddressableJob,
  failure: { status: 'dead_letter' | 'unsupported'; stage: string; reason: string; worker: string },
): Result {
  if (job.kind === 'kernel') return failureResult(job, failure);
  return {
    v: PROTOCOL_VERSION,
    kind: 'review',
    jobId: job.jobId,
    campaignId: job.campaignId,
    genomeHash: genomeHash(job.genome),
    review: { verdict: 'unsure', reasons: [] },
    failure: `${failure.status} at ${failure.stage}: ${failure.reason}`,
    model: 'none',
    promptTokens: 0,
    completionTokens: 0,
    worker: failure.worker,
    elapsedMs: 0,
  };
}
