import { z } from 'zod';
import { Genome } from '../../genome/genome.ts';
import { Problem } from '../../genome/ops/problem.ts';
import { CampaignId, JobId } from '../envelope.ts';

/**
 * Enough of a kernel or review job to address a failure Result to it (even
 * one whose other fields are invalid). A promote job has no such Result: its
 * coordinator waits for it with a deadline of its own.
 */
export const AddressableJob = z.object({
  kind: z.enum(['kernel', 'review']),
  jobId: JobId,
  campaignId: CampaignId,
  problem: Problem,
  genome: Genome,
});
export type AddressableJob = z.infer<typeof AddressableJob>;
