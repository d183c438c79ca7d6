import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '../../../coordinator/store/store.ts';
import type { Transport } from '../../../coordinator/transport/transport.ts';
import type { KernelJob } from '../../../protocol/job.ts';
import type { KernelResult } from '../../../protocol/result.ts';

/**
 * The coordinator's side of a fault test: jobs recorded in a real SQLite
 * store, submitted, and results ingested idempotently until none is pending.
 * `ingested` counts, per job, the results the store accepted (it must be 1).
 */
export class CampaignRun {
  readonly store: Store;
  readonly ingested = new Map<string, number>();
  readonly results: KernelResult[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), 'kevo-run-'));

  constructor(
    readonly campaignId: string,
    private readonly transport: Transport,
  ) {
    this.store = Store.open(join(this.dir, 'kevo.db'));
    this.store.createCampaign({ id: campaignId, spec: {}, strategy: 'random' });
  }

  async submit(jobs: readonly KernelJob[]): Promise<void> {
    for (const job of jobs) this.store.recordJob(job);
    await Promise.all(jobs.map((job) => this.transport.submit(job)));
  }

  /** Ingest until no job is pending; `onResult` sees each ingested result (to inject a fault mid-run). */
  async untilDone(onResult: (ingestedSoFar: number) => void | Promise<void> = () => {}): Promise<void> {
    if (this.store.pendingJobs(this.campaignId).length === 0) return;
    for await (const result of this.transport.results()) {
      if (result.kind !== 'kernel') continue;
      this.results.push(result);
      if (this.store.ingest(result)) this.ingested.set(result.jobId, (this.ingested.get(result.jobId) ?? 0) + 1);
      await onResult(this.ingested.size);
      if (this.store.pendingJobs(this.campaignId).length === 0) return;
    }
  }

  dispose(): void {
    this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
