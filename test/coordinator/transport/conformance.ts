import { afterEach, describe, expect, it } from 'vitest';
import type { Transport } from '../../../coordinator/transport/transport.ts';
import type { Job } from '../../../protocol/job.ts';
import type { Result } from '../../../protocol/result.ts';
import { testJob } from '../../../testkit/test-job.ts';

/** A transport with one worker behind it, ready to take jobs; dispose() stops the worker and closes the transport. */
export interface TransportUnderTest {
  readonly transport: Transport;
  readonly workerName: string;
  dispose(): Promise<void>;
}

/** Read results until every job has one; duplicates (redeliveries) are allowed by the contract and kept apart. */
async function collect(transport: Transport, jobs: readonly Job[]): Promise<{ first: Map<string, Result>; extra: number }> {
  const wanted = new Set(jobs.map((j) => j.jobId));
  const first = new Map<string, Result>();
  let extra = 0;
  for await (const result of transport.results()) {
    if (first.has(result.jobId)) extra++;
    else first.set(result.jobId, result);
    if ([...wanted].every((id) => first.has(id))) break;
  }
  return { first, extra };
}

/** The Transport contract of coordinator/transport/transport.ts, checked through the interface only. */
export function transportConformance(label: string, open: () => Promise<TransportUnderTest>): void {
  describe(`Transport conformance: ${label}`, () => {
    let current: TransportUnderTest | undefined;
    afterEach(async () => {
      await current?.dispose();
      current = undefined;
    });

    it('yields a result for every submitted job, matching its job', async () => {
      current = await open();
      const jobs = Array.from({ length: 20 }, (_, i) => testJob('conformance', i, i % 4 === 0 ? 20 : 1));
      const collected = collect(current.transport, jobs);
      await Promise.all(jobs.map((job) => current!.transport.submit(job)));
      const { first } = await collected;
      expect([...first.keys()].sort()).toEqual(jobs.map((j) => j.jobId).sort());
      for (const job of jobs) {
        const result = first.get(job.jobId)!;
        expect(result.kind).toBe('kernel');
        if (result.kind !== 'kernel' || job.kind !== 'kernel') continue;
        expect(result.campaignId).toBe(job.campaignId);
        expect(result.genome).toEqual(job.genome);
        expect(result.problem).toEqual(job.problem);
      }
    });

    it('ends results() on close, and close() twice is safe', async () => {
      current = await open();
      const results = current.transport.results()[Symbol.asyncIterator]();
      const ended = results.next();
      await current.transport.close();
      await current.transport.close();
      await expect(ended).resolves.toMatchObject({ done: true });
    });

    it('lists its worker with device classes and backends', async () => {
      current = await open();
      const workers = await current.transport.workers();
      const worker = workers.find((w) => w.name === current!.workerName);
      expect(worker).toBeDefined();
      expect(worker!.deviceClasses.length).toBeGreaterThan(0);
      expect(worker!.backends).toContain('wasm');
      expect(worker!.threads).toBeGreaterThan(0);
    });
  });
}
