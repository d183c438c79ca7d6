import { describe, expect, it } from 'vitest';
import { jobConsumerName, jobRoute, natsNames, workerRoutes } from '../../../protocol/nats/topology.ts';
import { PROTOCOL_VERSION, type Job } from '../../../protocol/index.ts';
import { testJob } from '../../../testkit/test-job.ts';

describe('NATS routing', () => {
  it('sends a pinned job to its device class, an unpinned one to any worker of its backend, a review to LLM workers', () => {
    expect(jobRoute(testJob('c', 0, 1, 'abc123'))).toBe('dc.abc123');
    expect(jobRoute(testJob('c', 0))).toBe('any.wasm');
    const job = testJob('c', 0);
    const review: Job = { v: PROTOCOL_VERSION, kind: 'review', jobId: 'r', campaignId: 'c', problem: job.problem, genome: { op: 'matmul', backend: 'wasm', family: 'source', language: 'wat', text: '(module)' }, seed: 1 };
    expect(jobRoute(review)).toBe('any.llm');
  });

  it('refuses a device class id that is not a subject token', () => {
    expect(() => jobRoute(testJob('c', 0, 1, 'a.b'))).toThrow(/deviceClassId "a.b"/);
    expect(() => jobRoute(testJob('c', 0, 1, 'a>'))).toThrow(/letters, digits/);
  });

  it('has a worker serve each of its device classes and each backend, one durable consumer per route', () => {
    expect(workerRoutes(['d1'], ['wasm', 'llm'])).toEqual(['dc.d1', 'any.wasm', 'any.llm']);
    expect(jobConsumerName('any.wasm')).toBe('jobs_any_wasm');
  });

  it('puts each campaign on its own results subject, hashing ids that are not tokens', () => {
    const names = natsNames('kv');
    expect(names.resultsSubject('c-1')).toBe('kv.results.c-1');
    expect(names.resultsSubject('my campaign.2')).toMatch(/^kv\.results\.[0-9a-f]{16}$/);
    expect(names.allResults).toBe('kv.results.>');
  });
});
