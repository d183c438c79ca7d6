import type { Logger } from '../lib/log.ts';
import type { KernelResult, Result } from '../protocol/result.ts';
import { forgery, refusedResult } from './acceptance.ts';
import type { Store } from './store/store.ts';

interface Waiter {
  resolve(result: Result): void;
  reject(error: unknown): void;
}

/**
 * The one reader of a transport's results for a campaign. Kernel results are
 * ingested into the store as they arrive (whoever waits for them, if anyone:
 * a result of a job pending from an earlier run is stored all the same), then
 * handed to whoever waits for that job id: a generation, or a reviewer waiting
 * for a review.
 */
export class ResultRouter {
  private readonly waiters = new Map<string, Waiter>();
  private failure: unknown;
  readonly done: Promise<void>;

  /** Workers seen live (heartbeating) while this campaign ran: only their results are accepted. */
  private readonly seen = new Set<string>();

  constructor(
    private readonly campaignId: string,
    results: AsyncIterable<Result>,
    private readonly store: Store,
    private readonly onKernel: (result: KernelResult, fresh: boolean) => void,
    private readonly log: Logger,
    private readonly liveWorkers: () => Promise<readonly { name: string }[]>,
  ) {
    this.done = this.pump(results);
  }

  /** Jobs waited for and not answered yet: between generations, none. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Register before submitting the job: its result may come back at once. */
  wait(jobId: string, signal?: AbortSignal): Promise<Result> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<Result>((resolve, reject) => {
      const onAbort = () => {
        this.waiters.delete(jobId);
        reject(signal!.reason);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.set(jobId, {
        resolve: (r) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(r);
        },
        reject: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      });
    });
  }

  private async pump(results: AsyncIterable<Result>): Promise<void> {
    try {
      for await (let result of results) {
        if (result.campaignId !== this.campaignId) {
          this.log.warn({ jobId: result.jobId, campaignId: result.campaignId }, "ignored another campaign's result");
          continue;
        }
        if (result.kind === 'kernel') {
          const accepted = await this.accept(result);
          if (!accepted) continue;
          const fresh = this.store.ingest(accepted);
          this.onKernel(accepted, fresh);
          result = accepted;
        }
        const waiter = this.waiters.get(result.jobId);
        if (!waiter) {
          this.log.debug({ jobId: result.jobId, kind: result.kind }, 'result for a job nobody waits for (stored)');
          continue;
        }
        this.waiters.delete(result.jobId);
        waiter.resolve(result);
      }
      this.fail(new Error('the transport closed while jobs were outstanding'));
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * Only results for jobs this campaign published and still holds pending
   * are taken; one whose worker was never seen live, or that is not what its
   * job makes (see forgery()), is stored as refused: a failure, never ranked.
   * Dead letters are the coordinator's own and come from no worker.
   */
  private async accept(result: KernelResult): Promise<KernelResult | undefined> {
    const job = this.store.pendingJob(this.campaignId, result.jobId);
    if (!job) {
      this.log.info({ jobId: result.jobId, worker: result.worker, status: result.status }, 'refused a result: no pending job of this campaign has its id (unknown, or answered already)');
      return undefined;
    }
    const reason = (result.status === 'dead_letter' || (await this.isLive(result.worker)) ? undefined : 'that worker was never seen live') ?? forgery(result, job);
    if (reason === undefined) return result;
    this.log.warn({ jobId: result.jobId, worker: result.worker, status: result.status, reason }, 'refused a result');
    return refusedResult(result, job, reason);
  }

  /** Whether a worker (or a thread of one) has been seen heartbeating while this campaign ran. */
  async isLive(worker: string): Promise<boolean> {
    const name = worker.replace(/#\d+$/, ''); // a pool thread signs its results "<worker>#<thread>"
    if (this.seen.has(name)) return true;
    for (const live of await this.liveWorkers()) this.seen.add(live.name);
    return this.seen.has(name);
  }

  private fail(error: unknown): void {
    this.failure = error;
    for (const waiter of this.waiters.values()) waiter.reject(error);
    this.waiters.clear();
  }
}
