import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MemoryLlmCache } from '../../llm/cache.ts';
import { LlmClient, type LlmRequest } from '../../llm/client.ts';
import { LlmLedger, type LlmCall } from '../../llm/ledger.ts';
import { LlmEndpoint, type LlmEndpointInput } from '../../llm/options.ts';
import { failure, inOrder, json, startLlmServer, type LlmServer } from '../../testkit/llm-server.ts';

const Answer = z.object({ tile: z.number().int().min(1), why: z.string() }).strict();
const request = (seed = 1): LlmRequest<z.infer<typeof Answer>> => ({
  purpose: 'edit',
  messages: [{ role: 'user', content: 'propose a tile' }],
  schema: Answer,
  schemaName: 'answer',
  seed,
});

let server: LlmServer;
beforeAll(async () => {
  server = await startLlmServer(() => failure(500));
});
afterAll(() => server.close());

function client(over: Partial<LlmEndpointInput> = {}, extra: { ledger?: LlmLedger; log?: pino.Logger } = {}) {
  const calls: LlmCall[] = [];
  const endpoint = LlmEndpoint.parse({ baseUrl: server.baseUrl, model: 'scripted', maxRetries: 2, timeoutMs: 2_000, ...over });
  const llm = new LlmClient({ endpoint, apiKey: 'sk-secret-test-key', cache: new MemoryLlmCache(), onCall: (c) => calls.push(c), ...extra });
  return { llm, calls };
}

function script(...replies: Parameters<typeof inOrder>[0]) {
  server.requests.length = 0;
  server.script = inOrder(replies);
}

describe('LlmClient over real HTTP', () => {
  it('sends the schema as response_format json_schema and the key as a bearer token, and parses the reply', async () => {
    script(json({ tile: 4, why: 'fits registers' }, { prompt: 1000, completion: 500 }));
    const { llm, calls } = client({ costPer1kPromptTokens: 0.01, costPer1kCompletionTokens: 0.03 });
    const outcome = await llm.complete(request());
    expect(outcome).toMatchObject({ ok: true, value: { tile: 4, why: 'fits registers' } });
    const sent = server.requests[0]!;
    expect(sent.headers.authorization).toBe('Bearer sk-secret-test-key');
    expect(sent.body.response_format?.type).toBe('json_schema');
    expect(sent.body.response_format?.json_schema).toMatchObject({ name: 'answer', schema: { type: 'object', required: ['tile', 'why'] } });
    expect(sent.body.seed).toBe(1);
    expect(calls).toEqual([expect.objectContaining({ ok: true, cached: false, promptTokens: 1000, completionTokens: 500, retries: 0 })]);
    expect(calls[0]!.cost).toBeCloseTo(0.01 + 0.015);
  });

  it.each([
    ['invalid JSON', { content: 'here is my idea: tile=4' }, 'invalid_json'],
    ['a schema violation', { content: JSON.stringify({ tile: 0, why: 'x' }) }, 'schema'],
    ['a refusal', { refusal: 'I cannot help with that' }, 'refusal'],
    ['an empty reply', { content: '' }, 'empty'],
    ['a reply cut by max tokens', { content: '{"tile": 4, "wh', finishReason: 'length' }, 'truncated'],
  ] as const)('turns %s into a counted failure with its reason', async (_what, reply, kind) => {
    script(reply);
    const { llm, calls } = client();
    const outcome = await llm.complete(request());
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.failure).toBe(kind);
    expect(outcome.reason.length).toBeGreaterThan(0);
    expect(calls).toEqual([expect.objectContaining({ ok: false, failure: kind, reason: outcome.reason })]);
    expect(llm.usage()).toMatchObject({ calls: 1, failures: 1 });
  });

  it('reads JSON inside a markdown fence', async () => {
    script({ content: 'Sure!\n```json\n{"tile": 2, "why": "w"}\n```' });
    const { llm } = client();
    expect(await llm.complete(request())).toMatchObject({ ok: true, value: { tile: 2 } });
  });

  it('retries 429 and 500 with the client backoff, and counts the retries', async () => {
    script(failure(429), failure(500), json({ tile: 8, why: 'w' }));
    const { llm, calls } = client();
    expect(await llm.complete(request())).toMatchObject({ ok: true, value: { tile: 8 } });
    expect(server.requests).toHaveLength(3);
    expect(calls[0]).toMatchObject({ ok: true, retries: 2 });
    expect(llm.usage().retries).toBe(2);
  });

  it('gives up after maxRetries with a stored rate_limit or http failure', async () => {
    script(failure(429), failure(429), failure(429));
    const first = client();
    expect(await first.llm.complete(request())).toMatchObject({ ok: false, failure: 'rate_limit' });
    expect(first.calls[0]).toMatchObject({ retries: 2, failure: 'rate_limit' });

    script(failure(503));
    const second = client({ maxRetries: 0 });
    expect(await second.llm.complete(request())).toMatchObject({ ok: false, failure: 'http', reason: expect.stringContaining('503') });
  });

  it('turns a reply slower than the timeout into a timeout failure, retried first', async () => {
    script({ hang: true }, { hang: true });
    const { llm, calls } = client({ timeoutMs: 150, maxRetries: 1 });
    expect(await llm.complete(request())).toMatchObject({ ok: false, failure: 'timeout' });
    expect(server.requests).toHaveLength(2);
    expect(calls[0]).toMatchObject({ failure: 'timeout', retries: 1 });
  });

  it('answers an identical request from the cache without calling, and a new seed with a call', async () => {
    script(json({ tile: 4, why: 'a' }), json({ tile: 6, why: 'b' }));
    const { llm, calls } = client();
    await llm.complete(request(7));
    expect(await llm.complete(request(7))).toMatchObject({ ok: true, value: { tile: 4 } });
    expect(await llm.complete(request(8))).toMatchObject({ ok: true, value: { tile: 6 } });
    expect(server.requests).toHaveLength(2);
    expect(calls.map((c) => c.cached)).toEqual([false, true, false]);
    expect(calls[1]).toMatchObject({ promptTokens: 0, cost: 0 });
  });

  it('keeps at most `concurrency` requests in flight: the next one starts only as one is answered', async () => {
    server.requests.length = 0;
    const held: (() => void)[] = [];
    const answeredAtArrival: number[] = [];
    let answered = 0;
    let arrived = () => {};
    server.script = () =>
      new Promise((resolve) => {
        answeredAtArrival.push(answered);
        held.push(() => {
          answered++;
          resolve(json({ tile: 1, why: 'held' }));
        });
        arrived();
      });
    const arrivals = (n: number) =>
      new Promise<void>((resolve) => {
        arrived = () => held.length >= n && resolve();
        arrived();
      });
    const { llm } = client({ concurrency: 2 });
    const answers = [1, 2, 3].map((seed) => llm.complete(request(seed)));
    await arrivals(2);
    held[0]!();
    await arrivals(3);
    held[1]!();
    held[2]!();
    expect(await Promise.all(answers)).toMatchObject([{ ok: true }, { ok: true }, { ok: true }]);
    expect(answeredAtArrival).toEqual([0, 0, 1]);
  });

  it('stops calling once the token budget is spent, without counting a call', async () => {
    script(json({ tile: 4, why: 'a' }, { prompt: 60, completion: 50 }));
    const { llm } = client({}, { ledger: new LlmLedger({ maxTokens: 100 }) });
    await llm.complete(request(1));
    const second = await llm.complete(request(2));
    expect(second).toMatchObject({ ok: false, failure: 'budget', reason: expect.stringContaining('token budget') });
    expect(server.requests).toHaveLength(1);
    expect(llm.usage().calls).toBe(1);
  });

  it('counts a call made elsewhere (a worker\'s review) at its own prices: a cost budget it spends stops the next call here', async () => {
    script(json({ tile: 4, why: 'a' }));
    const { llm, calls } = client({ costPer1kPromptTokens: 1, costPer1kCompletionTokens: 2 }, { ledger: new LlmLedger({ maxCost: 0.5 }) });
    llm.recordRemote({ purpose: 'review', model: 'worker-model', requestHash: 'r1', cached: false, promptTokens: 200, completionTokens: 100, ms: 3 });
    llm.recordRemote({ purpose: 'review', model: 'worker-model', requestHash: 'r2', cached: true, promptTokens: 0, completionTokens: 0, failure: 'timeout: no answer in 10 s', ms: 10 });
    expect(calls).toEqual([
      expect.objectContaining({ purpose: 'review', model: 'worker-model', ok: true, cached: false, promptTokens: 200, completionTokens: 100, cost: 0.4 }),
      expect.objectContaining({ ok: false, cached: true, failure: 'timeout', reason: 'timeout: no answer in 10 s', cost: 0 }),
    ]);
    expect(llm.exhausted()).toBeNull();
    llm.recordRemote({ purpose: 'review', model: 'worker-model', requestHash: 'r3', cached: false, promptTokens: 100, completionTokens: 0, ms: 3 });
    expect(llm.usage()).toMatchObject({ calls: 3, failures: 1, cacheHits: 1, promptTokens: 300, completionTokens: 100 });
    expect(await llm.complete(request(9))).toMatchObject({ ok: false, failure: 'budget', reason: expect.stringContaining('cost budget') });
    expect(server.requests).toHaveLength(0);
  });

  it('never writes the API key to the log', async () => {
    script(failure(500), failure(500), failure(500));
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const { llm } = client({}, { log: pino({ level: 'trace' }, sink) });
    await llm.complete(request());
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).not.toContain('sk-secret-test-key');
  });
});
