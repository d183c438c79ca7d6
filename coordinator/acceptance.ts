import { kernelSource } from '../genome/kernel-source.ts';
import { canonicalJson } from '../lib/hash.ts';
import { quote } from '../lib/quote.ts';
import type { KernelJob } from '../protocol/job.ts';
import { failureResult, type KernelResult } from '../protocol/result.ts';

/**
 * Why a result for a pending job cannot be what the job produced, or
 * undefined when it can: its problem and genome are the job's, and its kernel
 * is what codegen makes of the genome (for a source genome, the job's own
 * text). A result that claims ok must carry that kernel. Anyone who may
 * publish results could otherwise store a no-op kernel at any GFLOP/s.
 */
export function forgery(result: KernelResult, job: KernelJob): string | undefined {
  if (canonicalJson(result.problem) !== canonicalJson(job.problem)) return "its problem is not the job's";
  if (canonicalJson(result.genome) !== canonicalJson(job.genome)) return "its genome is not the job's";
  if (!result.kernel) return result.status === 'ok' ? 'it claims ok without the kernel it ran' : undefined;
  const expected = kernelSource(job.genome, job.problem);
  if (result.kernel.language !== expected.language || result.kernel.text !== expected.text) return "its kernel is not the job's (not what codegen makes of its genome)";
  return undefined;
}

/**
 * What is stored for a refused result: a failure of the job that no timing,
 * kernel or device class comes with, so it is never ranked, exported or taken
 * from the store as a cached answer, and the generation waiting for it goes on.
 */
export function refusedResult(result: KernelResult, job: KernelJob, reason: string): KernelResult {
  return failureResult(job, { status: 'rejected', stage: 'acceptance', reason: `refused a result from worker ${quote(result.worker)}: ${reason}`, worker: 'coordinator' });
}
