import { familyOf } from '../genome/families/registry.ts';
import { canonicalJson } from '../lib/hash.ts';
import { quote } from '../lib/quote.ts';
import { genomeHash } from '../genome/genome.ts';
import type { KernelJob, PromoteJob } from '../protocol/job.ts';
import { failureResult, type KernelResult, type PromoteResult } from '../protocol/result.ts';

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
  return kernelForgery(result, job);
}

/** Why the kernel a result says it ran is not what the job's genome makes, if it is not. */
function kernelForgery(result: Pick<KernelResult, 'status' | 'kernel'>, job: Pick<KernelJob, 'problem' | 'genome'>): string | undefined {
  if (!result.kernel) return result.status === 'ok' ? 'it claims ok without the kernel it ran' : undefined;
  const expected = familyOf(job.problem, job.genome).code(job.genome, job.problem);
  if (result.kernel.language !== expected.language || result.kernel.text !== expected.text) return "its kernel is not the job's (not what codegen makes of its genome)";
  // Export runs the stored launch: a forged one (another layout, another dispatch) is refused like forged text.
  if (result.kernel.launch && canonicalJson(result.kernel.launch) !== canonicalJson(expected.launch)) return "its launch is not the job's kernel's";
  return undefined;
}

/**
 * The same for a promote job's answer: one entry per genome of the job, in
 * its order, each with the kernel its genome makes when it claims ok; no
 * timing for a kernel that did not verify; no more rounds than asked, each
 * over every genome, in an order that is a permutation of them; and from the
 * worker (and device class) the job named, when it named one.
 */
export function promotionForgery(result: PromoteResult, job: PromoteJob): string | undefined {
  if (job.worker !== undefined && result.worker.replace(/#\d+$/, '') !== job.worker) return `the job was for worker ${quote(job.worker)}`;
  if (job.deviceClassId !== undefined && result.deviceClass !== undefined && result.deviceClass.id !== job.deviceClassId) return `it ran on device class ${result.deviceClass.id}; the job wants ${job.deviceClassId}`;
  if (result.kernels.length !== job.genomes.length) return `it answers ${result.kernels.length} kernels; the job has ${job.genomes.length}`;
  for (const [i, entry] of result.kernels.entries()) {
    if (entry.genomeHash !== genomeHash(job.genomes[i]!)) return `its kernel ${i} is not the job's genome ${i}`;
    const forged = kernelForgery(entry, { problem: job.problem, genome: job.genomes[i]! });
    if (forged) return `kernel ${i}: ${forged}`;
  }
  if (result.rounds.length > job.rounds || result.orders.length !== result.rounds.length) return `it has ${result.rounds.length} rounds and ${result.orders.length} orders; the job asked for ${job.rounds}`;
  const all = job.genomes.map((_, i) => i).join(',');
  for (const [r, round] of result.rounds.entries()) {
    if (round.length !== job.genomes.length) return `round ${r} times ${round.length} kernels; the job has ${job.genomes.length}`;
    if ([...result.orders[r]!].sort((a, b) => a - b).join(',') !== all) return `round ${r}'s order is not a permutation of the job's kernels`;
    const timedUnverified = round.findIndex((timing, i) => timing !== null && result.kernels[i]!.status !== 'ok');
    if (timedUnverified >= 0) return `round ${r} times kernel ${timedUnverified}, which did not verify`;
  }
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
