import { KevoError } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import type { Job } from '../protocol/job.ts';
import type { Result } from '../protocol/result.ts';
import type { Transport } from './transport/transport.ts';

/**
 * Jobs asked outside a campaign (`kevo reverify --nats`, `kevo portability`)
 * and their answers, read back from the transport by job id. Nothing is
 * stored here: the caller judges each answer (acceptance.ts) before it uses
 * it. The transport should be one of its own (a campaign id of its own), so
 * no campaign's results pass through.
 */
export class JobAnswers {
  private readonly waiters = new Map<string, (result: Result) => void>();
  private readonly seen = new Set<string>();
  private readonly pumping: Promise<void>;

  constructor(
    private readonly transport: Transport,
    private readonly log: Logger,
  ) {
    this.pumping = this.pump();
  }

  /** Submits the job and resolves with its first answer; rejects past `timeoutMs`. */
  async ask(job: Job, timeoutMs: number): Promise<Result> {
    const answer = new Promise<Result>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(job.jobId);
        reject(new KevoError('UNAVAILABLE', `no worker answered job ${job.jobId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(job.jobId, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
    });
    answer.catch(() => {}); // awaited below; a failed submit must not leave it unhandled
    await this.transport.submit(job);
    return answer;
  }

  /** The live workers, as the transport knows them. */
  workers() {
    return this.transport.workers();
  }

  /** Whether a worker (or a thread of one) is heartbeating now or was while these jobs ran. */
  async isLive(worker: string): Promise<boolean> {
    const name = worker.replace(/#\d+$/, '');
    if (this.seen.has(name)) return true;
    for (const live of await this.transport.workers()) this.seen.add(live.name);
    return this.seen.has(name);
  }

  /** Closes the transport; answers not in yet are abandoned. */
  async close(): Promise<void> {
    await this.transport.close();
    await this.pumping;
  }

  private async pump(): Promise<void> {
    try {
      for await (const result of this.transport.results()) {
        const waiter = this.waiters.get(result.jobId);
        if (!waiter) {
          this.log.debug({ jobId: result.jobId, kind: result.kind }, 'an answer nobody waits for');
          continue;
        }
        this.waiters.delete(result.jobId);
        waiter(result);
      }
    } catch (error) {
      this.log.warn({ err: error }, 'stopped reading answers');
    }
  }
}
