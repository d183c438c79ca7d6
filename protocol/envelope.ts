import { z } from 'zod';

/** Bumped on any incompatible change of Job or Result; a worker rejects versions it does not speak. */
export const PROTOCOL_VERSION = 1;

export const JobKind = z.enum(['kernel', 'review', 'promote']);
export type JobKind = z.infer<typeof JobKind>;

export const JobId = z.string().min(1).max(200);
export const CampaignId = z.string().min(1).max(200);

/**
 * The fields every job and every result carries, in one place: the protocol
 * version, what kind of work it is, and the ids a person (and the result
 * router) follows it by. A result carries its job's.
 */
export function envelope<K extends JobKind>(kind: K) {
  return { v: z.literal(PROTOCOL_VERSION), kind: z.literal(kind), jobId: JobId, campaignId: CampaignId };
}

export interface Envelope<K extends JobKind = JobKind> {
  readonly v: typeof PROTOCOL_VERSION;
  readonly kind: K;
  readonly jobId: string;
  readonly campaignId: string;
}

/** The envelope of the answer to `job`. */
export function answering<K extends JobKind>(kind: K, job: { readonly jobId: string; readonly campaignId: string }): Envelope<K> {
  return { v: PROTOCOL_VERSION, kind, jobId: job.jobId, campaignId: job.campaignId };
}
