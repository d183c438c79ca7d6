import { describe, expect, it } from 'vitest';
import type { EncodedBatch } from '../../../protocol/nats/result-batch.ts';
import { failureFor, type Result } from '../../../protocol/result.ts';
import { testJob } from '../../../testkit/test-job.ts';
import { ResultBatches } from '../../../worker/nats/result-batches.ts';

const resultOf = (campaignId: string, i: number): Result =>
  failureFor(testJob(campaignId, i), { status: 'runtime_error', stage: 'worker', reason: 'x', worker: 'w' });

/** A publish the test settles by hand, recording each batch. */
function publisher() {
  const calls: { batch: EncodedBatch; settle(error?: Error): void }[] = [];
  const publish = (batch: EncodedBatch) =>
    new Promise<void>((resolve, reject) => calls.push({ batch, settle: (error) => (error ? reject(error) : resolve()) }));
  return { calls, publish };
}

const jobIds = (batch: EncodedBatch) => batch.results.map((r) => r.jobId);
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('ResultBatches', () => {
  it('publishes what was stored in one turn as one message per campaign, and resolves each store once its batch is stored', async () => {
    const { calls, publish } = publisher();
    const batches = new ResultBatches(publish);
    const stored = [resultOf('a', 0), resultOf('b', 0), resultOf('a', 1)].map((r) => batches.store(r));
    await nextTurn();
    expect(calls.map((c) => jobIds(c.batch))).toEqual([['a-job-0', 'a-job-1'], ['b-job-0']]);
    let settled = 0;
    stored.forEach((s) => void s.then(() => settled++));
    calls[0]!.settle();
    await stored[0];
    await stored[2];
    expect(settled).toBe(2); // b's batch is not stored yet
    calls[1]!.settle();
    await stored[1];
  });

  it('fails only the stores of a batch that could not be stored, and never makes a later batch wait for an earlier one', async () => {
    const { calls, publish } = publisher();
    const batches = new ResultBatches(publish);
    const first = batches.store(resultOf('a', 0));
    await nextTurn();
    const second = batches.store(resultOf('a', 1));
    await nextTurn();
    // The second batch went out while the first is still unacknowledged.
    expect(calls.map((c) => jobIds(c.batch))).toEqual([['a-job-0'], ['a-job-1']]);
    calls[0]!.settle(new Error('no stream ack'));
    calls[1]!.settle();
    await expect(first).rejects.toThrow('no stream ack');
    await expect(second).resolves.toBeUndefined();
  });
});
