import type { Logger } from '../lib/log.ts';
import { quote } from '../lib/quote.ts';
import { reverifyJob, verdictOf, type Reverification, type StoredKernel } from '../worker/reverify.ts';
import { forgery } from './acceptance.ts';
import type { JobAnswers } from './answers.ts';

/**
 * The harness on stored kernels, run by live workers instead of here (`kevo
 * reverify --nats`): each kernel a verifyOnly job to any worker of its
 * backend. An answer is taken as a kernel result is in a campaign: from a
 * worker seen live, for the job's own kernel (acceptance.ts); a refused one
 * is no verdict, and the kernel is left as it was.
 */
export class RemoteReverifier {
  constructor(
    private readonly answers: JobAnswers,
    private readonly campaignId: string,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {}

  async check(stored: StoredKernel): Promise<Reverification | { readonly refused: string }> {
    const job = reverifyJob(stored, this.campaignId);
    const result = await this.answers.ask(job, this.timeoutMs);
    if (result.kind !== 'kernel') return { refused: `job ${job.jobId} was answered by a ${result.kind} result` };
    const reason = (await this.answers.isLive(result.worker)) ? forgery(result, job) : 'that worker was never seen live';
    if (reason !== undefined) {
      this.log.warn({ jobId: job.jobId, worker: result.worker, reason }, 'refused a reverify result');
      return { refused: `refused the answer of worker ${quote(result.worker)}: ${reason}` };
    }
    return verdictOf(result);
  }
}
