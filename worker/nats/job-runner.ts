import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { publishResultBatch } from '../../protocol/nats/publish.ts';
import type { Logger } from '../../lib/log.ts';
import type { Result } from '../../protocol/result.ts';
import { decodeJob } from './job-message.ts';
import { ResultBatches } from './result-batches.ts';
import type { WorkerEvaluator } from './worker.ts';

/** A result that cannot be stored within this long (server down) is given up: the job goes back to the queue. */
const PUBLISH_PATIENCE_MS = 60_000;
const ABANDONED = Symbol('abandoned');

/**
 * Runs the jobs a worker's threads pull: validate, evaluate while telling the
 * server the job is still being worked on, store the Result, then ack. After
 * stop(), jobs still running when the drain deadline passes are abandoned:
 * nak'd without delay so another worker takes them at once.
 */
export class JobRunner {
  jobsDone = 0;
  private readonly abandons = new Set<() => void>();
  private readonly finishing = new Set<Promise<void>>();
  private deadline: NodeJS.Timeout | undefined;
  private readonly results: ResultBatches;

  constructor(
    js: JetStreamClient,
    private readonly evaluator: Pick<WorkerEvaluator, 'evaluate'>,
    private readonly options: { name: string; prefix: string; maxJobBytes: number; ackWaitMs: number },
    private readonly log: Logger,
  ) {
    this.results = new ResultBatches((batch) => publishResultBatch(js, options.prefix, batch, PUBLISH_PATIENCE_MS));
  }

  /**
   * Resolves once the thread is free again: when the job is evaluated. Storing
   * its result and acking it go on in the background (settled() waits for
   * them), so the thread pulls its next job during that round trip.
   */
  async run(message: JsMsg): Promise<void> {
    const decoded = decodeJob(message.data, this.options.maxJobBytes, this.options.name);
    if (!decoded.ok) {
      this.log.warn({ seq: message.seq, subject: message.subject, reason: decoded.reason.slice(0, 500) }, 'rejected a job message');
      if (decoded.failure) await this.publish(decoded.failure).catch((error: unknown) => this.log.error({ err: error }, 'could not publish the failure result'));
      // No reason text: nats-server 2.9 does not know `+TERM <reason>` and would redeliver the message.
      message.term();
      return;
    }
    const job = decoded.job;
    const log = this.log.child({ jobId: job.jobId, campaignId: job.campaignId });
    let abandon!: (value: typeof ABANDONED) => void;
    const abandoned = new Promise<typeof ABANDONED>((resolve) => (abandon = resolve));
    const entry = (): void => abandon(ABANDONED);
    this.abandons.add(entry);
    // Tell the server the job is alive well inside ack_wait, however long it runs or its result takes to store.
    const working = setInterval(() => message.working(), Math.max(50, this.options.ackWaitMs / 3));
    let outcome: Result | typeof ABANDONED;
    try {
      outcome = await Promise.race([this.evaluator.evaluate(job), abandoned]);
    } catch (error) {
      // A review reaching a worker without an LLM endpoint, or a broken promise: another worker may do
      // better, and after max_deliver tries the job becomes a dead_letter result.
      clearInterval(working);
      message.nak(1_000);
      log.error({ err: error }, 'the evaluator failed the job; returned it to the queue');
      return;
    } finally {
      this.abandons.delete(entry);
    }
    if (outcome === ABANDONED) {
      clearInterval(working);
      message.nak();
      log.warn('returned the job to the queue unfinished');
      return;
    }
    const finishing = this.finish(message, outcome, log).finally(() => {
      clearInterval(working);
      this.finishing.delete(finishing);
    });
    this.finishing.add(finishing);
  }

  /** Resolves when every evaluated job's result is stored and the job acked (or given back). */
  async settled(): Promise<void> {
    await Promise.all([...this.finishing]);
  }

  private async finish(message: JsMsg, result: Result, log: Logger): Promise<void> {
    try {
      await this.publish(result);
      message.ack();
      this.jobsDone++;
    } catch (error) {
      // publish retried through restarts for a minute: redelivery is the last resort.
      log.error({ err: error }, 'could not store the result; returned the job to the queue');
      message.nak(1_000);
    }
  }

  /** From now, running jobs have `drainMs` to finish. */
  stop(drainMs: number): void {
    this.deadline ??= setTimeout(() => [...this.abandons].forEach((a) => a()), drainMs);
  }

  dispose(): void {
    clearTimeout(this.deadline);
  }

  private publish(result: Result): Promise<void> {
    return this.results.store(result);
  }
}
