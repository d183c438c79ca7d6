import { z } from 'zod';
import { Genome } from '../../genome/genome.ts';
import { Problem } from '../../genome/ops/problem.ts';
import { CampaignId, JobId, JobKind } from '../envelope.ts';

/** Enough of a job, of either kind, to address a failure Result to it (even one whose other fields are invalid). */
export const AddressableJob = z.object({
  kind: JobKind,
  jobId: JobId,
  campaignId: CampaignId,
  problem: Problem,
  genome: Genome,
});
export type AddressableJob = z.infer<typeof AddressableJob>;
