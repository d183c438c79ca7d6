import { describe, expect, it } from 'vitest';
import { KernelJob, KernelResult, Result, reviewResultFor, resultFor } from '../../protocol/index.ts';
import { sourceJob } from '../worker/jobs.ts';

describe('the job/result envelope', () => {
  it('a result answers its job with the same version, kind and ids', () => {
    const job = sourceJob('(module)');
    const result = resultFor(job, { status: 'rejected', stage: 'smoke', reason: 'r', verdicts: [], worker: 'w', elapsedMs: 1 });
    expect(KernelResult.parse(result)).toMatchObject({ v: job.v, kind: 'kernel', jobId: job.jobId, campaignId: job.campaignId });
    const review = reviewResultFor(job, { review: { verdict: 'unsure', reasons: [] }, model: 'm', promptTokens: 0, completionTokens: 0, worker: 'w', elapsedMs: 0 });
    expect(Result.parse(review)).toMatchObject({ v: job.v, kind: 'review', jobId: job.jobId, campaignId: job.campaignId });
  });

  it('holds jobs and results to the same id rules and version', () => {
    const job = sourceJob('(module)');
    const result = resultFor(job, { status: 'rejected', stage: 'smoke', reason: 'r', verdicts: [], worker: 'w', elapsedMs: 1 });
    const long = 'x'.repeat(201);
    for (const bad of [{ jobId: long }, { campaignId: '' }, { v: 2 }]) {
      expect(KernelJob.safeParse({ ...job, ...bad }).success, JSON.stringify(bad)).toBe(false);
      expect(KernelResult.safeParse({ ...result, ...bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
