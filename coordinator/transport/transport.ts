import type { Job } from '../../protocol/job.ts';
import type { Result } from '../../protocol/result.ts';
import type { WorkerInfo } from '../../protocol/worker-info.ts';

/**
 * How jobs reach workers and results come back. Two implementations, embedded
 * (a piscina pool in process) and NATS (JetStream), behind one contract that
 * one conformance suite checks:
 * - submit() resolves once the job is accepted for delivery (not evaluated);
 * - every submitted job yields at least one Result on results(), also when the
 *   kernel times out or its worker dies; a job may yield more than one (redelivery),
 *   so consumers ingest idempotently by jobId;
 * - close() is safe to call twice and ends results().
 */
export interface Transport {
  readonly name: string;
  /**
   * Whether submitted jobs and published results outlive this process (NATS:
   * yes, they wait in streams; embedded: no). A resumed campaign waits for the
   * pending jobs of a durable transport and submits them again otherwise.
   */
  readonly durable: boolean;
  submit(job: Job): Promise<void>;
  results(): AsyncIterable<Result>;
  /** Live workers and their device classes; the campaign targets one of them. */
  workers(): Promise<WorkerInfo[]>;
  close(): Promise<void>;
}
