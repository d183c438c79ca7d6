import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MatmulProblem } from '../../genome/ops/matmul-problem.ts';
import type { SourceGenome } from '../../genome/source.ts';
import { MemoryLlmCache } from '../../llm/cache.ts';
import { LlmClient } from '../../llm/client.ts';
import { LlmEndpoint } from '../../llm/options.ts';
import { PROTOCOL_VERSION, ReviewJob } from '../../protocol/job.ts';
import { ReviewResult } from '../../protocol/result.ts';
import { createReviewWorker, reviewJobHandler } from '../../verifiers/llm-review.ts';
import { naiveMatmulWat } from '../../testkit/naive-wat.ts';
import { failure, inOrder, json, startLlmServer, type LlmServer } from '../../testkit/llm-server.ts';

const problem: MatmulProblem = { op: 'matmul', shape: { m: 4, n: 8, k: 4 }, dtype: 'f32' };
const genome: SourceGenome = { op: 'matmul', backend: 'wasm', family: 'source', language: 'wat', text: naiveMatmulWat(problem) };
const job = ReviewJob.parse({ v: PROTOCOL_VERSION, kind: 'review', jobId: 'r1', campaignId: 'c1', problem, genome, seed: 5 });

let server: LlmServer;
beforeAll(async () => {
  server = await startLlmServer(() => failure(500));
});
afterAll(() => server.close());

function script(...replies: Parameters<typeof inOrder>[0]) {
  server.requests.length = 0;
  server.script = inOrder(replies);
}

const handler = () =>
  reviewJobHandler(
    new LlmClient({ endpoint: LlmEndpoint.parse({ baseUrl: server.baseUrl, model: 'reviewer', maxRetries: 0 }), apiKey: 'k', cache: new MemoryLlmCache() }),
    'w1',
  );

describe('LLM review job (worker side)', () => {
  it('sends the contract, ABI and source, and returns the structured verdict as a ReviewResult', async () => {
    script(json({ verdict: 'fail', reasons: ['keeps state'], suspectedLoophole: 'caches results' }, { prompt: 70, completion: 9 }));
    const result = ReviewResult.parse(await handler()(job));
    expect(result).toMatchObject({
      kind: 'review',
      jobId: 'r1',
      campaignId: 'c1',
      review: { verdict: 'fail', reasons: ['keeps state'], suspectedLoophole: 'caches results' },
      model: 'reviewer',
      promptTokens: 70,
      completionTokens: 9,
      worker: 'w1',
    });
    expect(result.failure).toBeUndefined();
    const sent = server.requests[0]!.body.messages.at(-1)!.content;
    expect(sent).toContain('C[i,j] = sum over p');
    expect(sent).toContain('(export "matmul")');
    expect(sent).toContain(genome.text);
    expect(server.requests[0]!.body.response_format?.json_schema?.name).toBe('review');
  });

  it.each([
    ['a 500', failure(500), /http/],
    ['a refusal', { refusal: 'no' }, /refusal/],
    ['a verdict outside the schema', json({ verdict: 'maybe', reasons: [] }), /schema/],
  ])('turns %s into an unsure verdict with the failure, never a throw', async (_what, reply, why) => {
    script(reply);
    const result = ReviewResult.parse(await handler()(job));
    expect(result.review.verdict).toBe('unsure');
    expect(result.failure).toMatch(why);
  });

  it('builds a worker reviewer from endpoint options, rejecting bad ones by name', async () => {
    expect(() => createReviewWorker({ baseUrl: 'not a url', model: 'm' }, 'w1')).toThrow(/baseUrl/);
    script(json({ verdict: 'pass', reasons: [] }));
    const review = createReviewWorker({ baseUrl: server.baseUrl, model: 'm', maxRetries: 0 }, 'w1');
    const first = await review(job);
    expect(first).toMatchObject({ review: { verdict: 'pass' }, promptTokens: 100 });
    expect(first.cached).toBeUndefined();
    // a redelivered job is answered from the worker's cache, and says so: it spent nothing
    expect(await review(job)).toMatchObject({ review: { verdict: 'pass' }, cached: true, promptTokens: 0, completionTokens: 0 });
    expect(server.requests).toHaveLength(1);
  });
});
