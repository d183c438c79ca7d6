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
    expect(workerRoutes(['d1'], ['wasm', 'llm'], 'w-1')).toEqual(['dc.d1', 'any.wasm', 'any.llm', 'w.w-1']);
    expect(jobConsumerName('any.wasm')).toBe('jobs_any_wasm');
    expect(workerRoutes([], [], 'host.example=3').at(-1)).toMatch(/^w\.[0-9a-f]{16}$/);
  });

  it('sends a promote job to the worker it names, else its device class, else any worker of its backend', () => {
    const { problem, genome } = testJob('c', 0);
    const promote: Job = { v: PROTOCOL_VERSION, kind: 'promote', jobId: 'p', campaignId: 'c', problem, genomes: [genome], rounds: 3, seed: 1, budgets: testJob('c', 0).budgets };
    expect(jobRoute({ ...promote, worker: 'w-2', deviceClassId: 'd1' })).toBe('w.w-2');
    expect(jobRoute({ ...promote, deviceClassId: 'd1' })).toBe('dc.d1');
    expect(jobRoute(promote)).toBe('any.wasm');
  });

  it('puts each campaign on its own results subject, hashing ids that are not tokens', () => {
    const names = natsNames('kv');
    expect(names.resultsSubject('c-1')).toBe('kv.results.c-1');
    expect(names.resultsSubject('my campaign.2')).toMatch(/^kv\.results\.[0-9a-f]{16}$/);
    expect(names.allResults).toBe('kv.results.>');
  });
});
