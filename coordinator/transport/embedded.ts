import pLimit, { type LimitFunction } from 'p-limit';
import { AsyncQueue } from '../../lib/async-queue.ts';
import type { DeviceClass } from '../../protocol/device.ts';
import type { Job } from '../../protocol/job.ts';
import { failureFor, type Result } from '../../protocol/result.ts';
import { KEVO_VERSION } from '../../lib/version.ts';
import type { WorkerInfo } from '../../protocol/worker-info.ts';
import type { Transport } from './transport.ts';

/** What the embedded transport needs of the in-process worker (worker/evaluator.ts's Evaluator). */
export interface JobEvaluator {
  evaluate(job: Job): Promise<Result>;
  deviceClasses(): Promise<DeviceClass[]>;
  readonly backends: readonly string[];
  readonly name: string;
}

/**
 * Jobs go straight to an in-process worker pool. Jobs beyond the pool's
 * capacity wait here rather than inside the pool, so a job's deadline starts
 * when it starts running, as it does for a NATS worker that pulls it.
 * Nothing survives the process: on resume, pending jobs are submitted again.
 */
export class EmbeddedTransport implements Transport {
  readonly name = 'embedded';
  readonly durable = false;
  private readonly queue = new AsyncQueue<Result>();
  private readonly running: LimitFunction;
  private jobsDone = 0;
  private closed = false;

  /** capacity: jobs the evaluator runs at once (its threads). An owned evaluator is closed with the transport. */
  constructor(
    private readonly evaluator: JobEvaluator & { close?(): Promise<void> },
    private readonly capacity: number,
    private readonly owns = false,
  ) {
    this.running = pLimit(capacity);
  }

  async submit(job: Job): Promise<void> {
    if (this.closed) throw new Error('transport closed');
    void this.running(() => this.evaluate(job)).then((result) => {
      this.jobsDone++;
      this.queue.push(result);
    });
  }

  results(): AsyncIterable<Result> {
    return this.queue;
  }

  async workers(): Promise<WorkerInfo[]> {
    return [
      {
        name: this.evaluator.name,
        deviceClasses: await this.evaluator.deviceClasses(),
        backends: this.evaluator.backends,
        threads: this.capacity,
        jobsDone: this.jobsDone,
        version: KEVO_VERSION,
        lastSeen: new Date().toISOString(),
      },
    ];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.running.clearQueue();
    this.queue.close();
    if (this.owns) await this.evaluator.close?.();
  }

  /** The evaluator promises never to reject; if it breaks that promise the job still gets its one result. */
  private async evaluate(job: Job): Promise<Result> {
    try {
      return await this.evaluator.evaluate(job);
    } catch (error) {
      return failureFor(job, { status: 'runtime_error', stage: 'worker', reason: String(error), worker: this.evaluator.name });
    }
  }
}
