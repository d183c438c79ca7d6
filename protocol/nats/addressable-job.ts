import { z } from 'zod';
import { Genome } from '../../genome/genome.ts';
import { Problem } from '../../genome/ops/problem.ts';

/** Enough of a job, of either kind, to address a failure Result to it (even one whose other fields are invalid). */
export const AddressableJob = z.object({
  kind: z.enum(['kernel', 'review']),
  jobId: z.string().min(1).max(200),
  campaignId: z.string().min(1).max(200),
  problem: Problem,
  genome: Genome,
});
export type AddressableJob = z.infer<typeof AddressableJob>;
