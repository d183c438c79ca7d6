import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, RateLimitError } from 'openai';
import pLimit, { type LimitFunction } from 'p-limit';
import { z } from 'zod';
import { canonicalJson, sha256 } from '../lib/hash.ts';
import { silentLogger, type Logger } from '../lib/log.ts';
import type { CachedReply, LlmCache } from './cache.ts';
import { isFailureKind, LlmLedger, type LlmCall, type LlmFailureKind, type LlmPurpose, type LlmUsage } from './ledger.ts';
import type { LlmEndpoint } from './options.ts';
import { interpretReply } from './reply.ts';

export interface ChatMessage {
  readonly role: 'system' | 'user';
  readonly content: string;
}

export interface LlmRequest<T> {
  readonly purpose: LlmPurpose;
  readonly messages: readonly ChatMessage[];
  readonly schema: z.ZodType<T>;
  /** The response_format name: letters, digits, _ and -. */
  readonly schemaName: string;
  /** Part of the request (and so of its cache key): a checkpointed rng draws it, so a resumed campaign asks the same questions. */
  readonly seed?: number;
  readonly promptId?: string;
}

export type LlmOutcome<T> =
  | { readonly ok: true; readonly value: T; readonly call: LlmCall }
  | { readonly ok: false; readonly failure: LlmFailureKind; readonly reason: string; readonly call: LlmCall };

export interface LlmClientOptions {
  readonly endpoint: LlmEndpoint;
  /** From KEVO_LLM_API_KEY (see apiKeyFromEnv); held by the openai client only. */
  readonly apiKey: string;
  readonly cache: LlmCache;
  readonly ledger?: LlmLedger;
  /** Every call, answered or failed, cached or paid: the store's llm_calls rows. */
  readonly onCall?: (call: LlmCall) => void;
  readonly log?: Logger;
}

const CALL_HEADER = 'x-kevo-call';

/**
 * One OpenAI-compatible Chat Completions endpoint (OpenAI, vLLM, llama.cpp's
 * server, Ollama, gateways). Retries and backoff are the openai client's;
 * this adds the cache, the budget, the concurrency limit and the rule that
 * nothing the endpoint does (refusal, garbage, timeout, 5xx) ever throws.
 */
export class LlmClient {
  private readonly openai: OpenAI;
  /** An endpoint (a local llama.cpp server, a rate-limited gateway) serves a few requests well and many badly. */
  private readonly limit: LimitFunction;
  private readonly ledger: LlmLedger;
  private readonly log: Logger;
  /** Highest X-Stainless-Retry-Count the fetch saw per call: the client retries inside create(). */
  private readonly retriesByCall = new Map<string, number>();
  private nextCallId = 0;

  constructor(private readonly options: LlmClientOptions) {
    const { endpoint } = options;
    this.limit = pLimit(endpoint.concurrency);
    this.ledger = options.ledger ?? new LlmLedger();
    this.log = (options.log ?? silentLogger).child({ llm: endpoint.model });
    this.openai = new OpenAI({
      baseURL: endpoint.baseUrl,
      apiKey: options.apiKey,
      timeout: endpoint.timeoutMs,
      maxRetries: endpoint.maxRetries,
      // failures are logged here, with the call's ids; the client's own console lines would bypass pino
      logLevel: 'off',
      fetch: (url, init) => {
        const headers = new Headers(init?.headers);
        const id = headers.get(CALL_HEADER);
        if (id !== null) {
          const attempt = Number(headers.get('x-stainless-retry-count') ?? 0);
          this.retriesByCall.set(id, Math.max(this.retriesByCall.get(id) ?? 0, attempt));
        }
        return fetch(url, init);
      },
    });
  }

  get model(): string {
    return this.options.endpoint.model;
  }

  usage(): LlmUsage {
    return this.ledger.usage();
  }

  /** Why no more paid calls may be made, or null. */
  exhausted(): string | null {
    return this.ledger.exhausted();
  }

  /**
   * A call made elsewhere on this campaign's behalf (a review on a worker):
   * recorded and counted against the budget like one made here, priced at this
   * endpoint's prices, since the budget is in its terms. `failure` is the
   * worker's "kind: reason" text.
   */
  recordRemote(call: { purpose: LlmPurpose; model: string; requestHash: string; promptTokens: number; completionTokens: number; cached: boolean; failure?: string; ms: number }): void {
    const kind = call.failure?.split(':', 1)[0];
    this.record({
      purpose: call.purpose,
      model: call.model,
      requestHash: call.requestHash,
      cached: call.cached,
      ok: call.failure === undefined,
      ...(call.failure === undefined ? {} : { reason: call.failure, ...(isFailureKind(kind) ? { failure: kind } : {}) }),
      promptTokens: call.promptTokens,
      completionTokens: call.completionTokens,
      cost: this.price(call.promptTokens, call.completionTokens),
      retries: 0,
      ms: call.ms,
    });
  }

  async complete<T>(request: LlmRequest<T>): Promise<LlmOutcome<T>> {
    const { endpoint } = this.options;
    const body = this.body(request);
    const requestHash = sha256(canonicalJson({ ...body, model: undefined }));
    const key = sha256(`${endpoint.model}\n${requestHash}`);
    const base = { purpose: request.purpose, model: endpoint.model, requestHash, promptId: request.promptId };
    const started = performance.now();

    const cached = this.options.cache.get(key);
    if (cached) {
      return this.finish(request, cached, { ...base, cached: true, retries: 0, ms: performance.now() - started, paid: false });
    }
    const spent = this.ledger.exhausted();
    if (spent) {
      // not a call: nothing reached the endpoint, so it is neither recorded nor counted
      const call: LlmCall = { ...base, cached: false, ok: false, failure: 'budget', reason: spent, promptTokens: 0, completionTokens: 0, cost: 0, retries: 0, ms: 0 };
      return { ok: false, failure: 'budget', reason: spent, call };
    }

    const callId = String(this.nextCallId++);
    try {
      const completion = await this.limit(() =>
        this.openai.chat.completions.create(body, { headers: { [CALL_HEADER]: callId } }),
      );
      const choice = completion.choices[0];
      const promptTokens = completion.usage?.prompt_tokens ?? 0;
      const completionTokens = completion.usage?.completion_tokens ?? 0;
      const reply: CachedReply = {
        model: endpoint.model,
        requestHash,
        content: choice?.message.content ?? null,
        refusal: choice?.message.refusal ?? null,
        finishReason: choice?.finish_reason ?? null,
        promptTokens,
        completionTokens,
        cost: this.price(promptTokens, completionTokens),
      };
      this.options.cache.put(key, reply);
      return this.finish(request, reply, { ...base, cached: false, retries: this.takeRetries(callId), ms: performance.now() - started, paid: true });
    } catch (error) {
      const { failure, reason } = classify(error);
      const call: LlmCall = { ...base, cached: false, ok: false, failure, reason, promptTokens: 0, completionTokens: 0, cost: 0, retries: this.takeRetries(callId), ms: performance.now() - started };
      this.record(call);
      return { ok: false, failure, reason, call };
    }
  }

  private body(request: LlmRequest<unknown>): OpenAI.ChatCompletionCreateParamsNonStreaming {
    const { endpoint } = this.options;
    const responseFormat: OpenAI.ChatCompletionCreateParamsNonStreaming['response_format'] =
      endpoint.responseFormat === 'json_schema'
        ? { type: 'json_schema', json_schema: { name: request.schemaName, schema: z.toJSONSchema(request.schema, { io: 'input' }), strict: false } }
        : { type: 'json_object' };
    return {
      model: endpoint.model,
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      temperature: endpoint.temperature,
      max_completion_tokens: endpoint.maxReplyTokens,
      response_format: responseFormat,
      ...(request.seed === undefined ? {} : { seed: request.seed }),
    };
  }

  private finish<T>(
    request: LlmRequest<T>,
    reply: CachedReply,
    meta: Omit<LlmCall, 'ok' | 'failure' | 'reason' | 'promptTokens' | 'completionTokens' | 'cost'> & { paid: boolean },
  ): LlmOutcome<T> {
    const { paid, ...base } = meta;
    const spend = paid
      ? { promptTokens: reply.promptTokens, completionTokens: reply.completionTokens, cost: reply.cost }
      : { promptTokens: 0, completionTokens: 0, cost: 0 };
    const interpreted = interpretReply(reply, request.schema);
    const call: LlmCall = interpreted.ok
      ? { ...base, ...spend, ok: true }
      : { ...base, ...spend, ok: false, failure: interpreted.failure, reason: interpreted.reason };
    this.record(call);
    return interpreted.ok ? { ok: true, value: interpreted.value, call } : { ...interpreted, call };
  }

  private record(call: LlmCall): void {
    this.ledger.record(call);
    if (!call.ok) this.log.warn({ purpose: call.purpose, failure: call.failure, reason: call.reason, retries: call.retries }, 'llm call failed');
    this.options.onCall?.(call);
  }

  private price(promptTokens: number, completionTokens: number): number {
    const { endpoint } = this.options;
    return (promptTokens * endpoint.costPer1kPromptTokens + completionTokens * endpoint.costPer1kCompletionTokens) / 1000;
  }

  private takeRetries(callId: string): number {
    const retries = this.retriesByCall.get(callId) ?? 0;
    this.retriesByCall.delete(callId);
    return retries;
  }
}

/** The failure an exception from the openai client stands for; its message never carries the key. */
function classify(error: unknown): { failure: LlmFailureKind; reason: string } {
  if (error instanceof APIConnectionTimeoutError) return { failure: 'timeout', reason: 'timed out waiting for the endpoint' };
  if (error instanceof RateLimitError) return { failure: 'rate_limit', reason: `429 after retries: ${error.message}` };
  if (error instanceof APIConnectionError) return { failure: 'connection', reason: `cannot reach the endpoint: ${error.cause instanceof Error ? error.cause.message : error.message}` };
  if (error instanceof APIError) return { failure: 'http', reason: `HTTP ${error.status ?? '?'}: ${error.message}` };
  return { failure: 'http', reason: error instanceof Error ? error.message : String(error) };
}
