import { PROTOCOL_VERSION, type KernelJob } from '../protocol/job.ts';
import type { KernelResult } from '../protocol/result.ts';

type Outcome = Omit<KernelResult, 'v' | 'kind' | 'jobId' | 'campaignId' | 'problem' | 'genome'>;

/** A result that answers `job`: the job's ids, problem and genome, plus what became of it. */
export function resultFor(job: KernelJob, outcome: Outcome): KernelResult {
  return { v: PROTOCOL_VERSION, kind: 'kernel', jobId: job.jobId, campaignId: job.campaignId, problem: job.problem, genome: job.genome, ...outcome };
}
