import { describe, expect, it } from 'vitest';
import { decodeResultBatch, encodeResultBatches, MAX_BATCH_BYTES, MAX_BATCH_RESULTS } from '../../../protocol/nats/result-batch.ts';
import { failureFor, type Result } from '../../../protocol/result.ts';
import { testJob } from '../../../testkit/test-job.ts';

const resultOf = (campaignId: string, i: number, reason = 'x'): Result =>
  failureFor(testJob(campaignId, i), { status: 'runtime_error', stage: 'worker', reason, worker: 'w' });

describe('results messages', () => {
  it('groups Results by campaign, in order, and decodes them back', () => {
    const results = [resultOf('a', 0), resultOf('b', 0), resultOf('a', 1)];
    const batches = encodeResultBatches(results);
    expect(batches.map((b) => [b.campaignId, b.results.map((r) => r.jobId)])).toEqual([
      ['a', ['a-job-0', 'a-job-1']],
      ['b', ['b-job-0']],
    ]);
    expect(decodeResultBatch(batches[0]!.payload)).toEqual({ ok: true, results: [results[0], results[2]], rejected: [] });
  });

  it('splits a batch at MAX_BATCH_RESULTS and at MAX_BATCH_BYTES', () => {
    const many = Array.from({ length: MAX_BATCH_RESULTS + 1 }, (_, i) => resultOf('a', i));
    expect(encodeResultBatches(many).map((b) => b.results.length)).toEqual([MAX_BATCH_RESULTS, 1]);
    const big = Array.from({ length: 3 }, (_, i) => resultOf('a', i, 'r'.repeat(MAX_BATCH_BYTES / 2)));
    const batches = encodeResultBatches(big);
    expect(batches.map((b) => b.results.length)).toEqual([1, 1, 1]);
    for (const batch of batches) expect(decodeResultBatch(batch.payload)).toMatchObject({ ok: true, results: batch.results });
  });

  it('drops a bad Result with its index, keeps the rest of its batch, and rejects a message that is no batch', () => {
    const good = resultOf('a', 0);
    const decoded = decodeResultBatch(JSON.stringify([good, { kind: 'kernel', jobId: 'nobody' }]));
    expect(decoded).toMatchObject({ ok: true, results: [good] });
    expect(decoded.ok && decoded.rejected).toEqual([expect.stringMatching(/^1\./)]);
    expect(decodeResultBatch('not json {')).toMatchObject({ ok: false });
    expect(decodeResultBatch('"text"')).toMatchObject({ ok: false });
    expect(decodeResultBatch('[]')).toMatchObject({ ok: false });
  });

  it('reads a lone Result, as workers published before batches, as a batch of one', () => {
    const good = resultOf('a', 0);
    expect(decodeResultBatch(JSON.stringify(good))).toEqual({ ok: true, results: [good], rejected: [] });
  });
});
