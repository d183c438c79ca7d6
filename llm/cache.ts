/**
 * A reply the endpoint gave, kept so an identical request (same model, same
 * request hash) is answered without paying again, e.g. when a campaign resumes.
 * Refusals and unparseable replies are kept too: they were paid for, and
 * asking again with the same seed would buy the same answer.
 */
export interface CachedReply {
  readonly model: string;
  readonly requestHash: string;
  readonly content: string | null;
  readonly refusal: string | null;
  readonly finishReason: string | null;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cost: number;
}

/** The store implements this (coordinator/store/llm.ts); a worker without a store keeps one in memory. */
export interface LlmCache {
  get(key: string): CachedReply | undefined;
  put(key: string, reply: CachedReply): void;
}

export class MemoryLlmCache implements LlmCache {
  private readonly replies = new Map<string, CachedReply>();
  get(key: string): CachedReply | undefined {
    return this.replies.get(key);
  }
  put(key: string, reply: CachedReply): void {
    this.replies.set(key, reply);
  }
}
