/** Why an LLM call produced no usable value; stored with each failed call. */
export const LLM_FAILURE_KINDS = ['budget', 'timeout', 'rate_limit', 'http', 'connection', 'refusal', 'empty', 'truncated', 'invalid_json', 'schema'] as const;
export type LlmFailureKind = (typeof LLM_FAILURE_KINDS)[number];

export function isFailureKind(text: string | undefined): text is LlmFailureKind {
  return (LLM_FAILURE_KINDS as readonly (string | undefined)[]).includes(text);
}

export type LlmPurpose = 'edit' | 'source' | 'meta' | 'review';

/** One call as the store's llm_calls table keeps it: every call, answered or not. */
export interface LlmCall {
  readonly purpose: LlmPurpose;
  readonly model: string;
  readonly requestHash: string;
  readonly promptId?: string;
  readonly cached: boolean;
  readonly ok: boolean;
  readonly failure?: LlmFailureKind;
  readonly reason?: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly cost: number;
  /** Attempts past the first the client made (429, 5xx, timeouts). */
  readonly retries: number;
  readonly ms: number;
}

export interface LlmUsage {
  calls: number;
  failures: number;
  cacheHits: number;
  retries: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
}

export interface LlmBudget {
  readonly maxTokens?: number;
  readonly maxCost?: number;
}

export function emptyUsage(): LlmUsage {
  return { calls: 0, failures: 0, cacheHits: 0, retries: 0, promptTokens: 0, completionTokens: 0, cost: 0 };
}

/**
 * Running totals against a budget. Starts from what the store says was spent,
 * so a resumed campaign does not get its budget back.
 */
export class LlmLedger {
  private readonly totals: LlmUsage;

  constructor(
    readonly budget: LlmBudget = {},
    spent: LlmUsage = emptyUsage(),
  ) {
    this.totals = { ...spent };
  }

  record(call: LlmCall): void {
    this.totals.calls++;
    if (!call.ok) this.totals.failures++;
    if (call.cached) this.totals.cacheHits++;
    this.totals.retries += call.retries;
    this.totals.promptTokens += call.promptTokens;
    this.totals.completionTokens += call.completionTokens;
    this.totals.cost += call.cost;
  }

  /** The reason no more calls may be made, or null while budget is left. */
  exhausted(): string | null {
    const tokens = this.totals.promptTokens + this.totals.completionTokens;
    const { maxTokens, maxCost } = this.budget;
    if (maxTokens !== undefined && tokens >= maxTokens) return `token budget spent (${tokens} of ${maxTokens})`;
    if (maxCost !== undefined && this.totals.cost >= maxCost) return `cost budget spent ($${this.totals.cost.toFixed(4)} of $${maxCost})`;
    return null;
  }

  usage(): LlmUsage {
    return { ...this.totals };
  }
}
