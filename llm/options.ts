import { z } from 'zod';

/**
 * Where the LLM lives and how kevo may use it: the spec's `llm` field and the
 * CLI's --llm-* flags parse into this. The API key is deliberately absent: it
 * comes from KEVO_LLM_API_KEY at call time and is never stored or logged.
 */
export const LlmEndpoint = z
  .object({
    baseUrl: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL, e.g. http://localhost:11434/v1' }),
    model: z.string().min(1, { error: 'expected a model name' }),
    /** Per attempt; the client retries a timed-out attempt like a 429 or 5xx. */
    timeoutMs: z.number().int().min(10).max(600_000).default(120_000),
    /** Retries with exponential backoff on 429, 5xx and timeouts (the openai client's own). */
    maxRetries: z.number().int().min(0).max(10).default(2),
    /** Requests in flight at once to this endpoint. */
    concurrency: z.number().int().min(1).max(64).default(2),
    temperature: z.number().min(0).max(2).default(0.8),
    /** Upper bound on one reply, passed as max_completion_tokens. */
    maxReplyTokens: z.number().int().min(16).max(200_000).default(4096),
    /** USD per 1000 tokens; 0 for a local model. */
    costPer1kPromptTokens: z.number().min(0).default(0),
    costPer1kCompletionTokens: z.number().min(0).default(0),
    /** Some servers (older llama.cpp, gateways) reject json_schema; 'json_object' asks for JSON only. */
    responseFormat: z.enum(['json_schema', 'json_object']).default('json_schema'),
  })
  .strict();
export type LlmEndpoint = z.infer<typeof LlmEndpoint>;
export type LlmEndpointInput = z.input<typeof LlmEndpoint>;

export const LlmOptions = LlmEndpoint.extend({
  /** Share of proposals the LLM makes; the inner (genetic) strategy makes the rest. */
  share: z.number().min(0).max(1).default(0.3),
  /** Campaign budget: past either, LLM calls stop and the other operators go on. */
  maxTokens: z.number().int().positive().optional(),
  maxCost: z.number().positive().optional(),
  /** What the LLM proposes: JSON edits of genomes, whole WAT sources, or both. */
  operators: z.array(z.enum(['edit', 'source'])).min(1).default(['edit', 'source']),
  /** Scored proposals a prompt needs before meta-evolution breeds from it. */
  promptGenerationSize: z.number().int().min(1).max(1000).default(4),
  /** The prompt population kept; the worst are dropped from selection past it. */
  promptPopulation: z.number().int().min(2).max(100).default(8),
  /** LLM review of LLM-written sources: off, a gate before timing, or advisory only. */
  review: z.enum(['off', 'gate', 'advisory']).default('off'),
})
  .strict()
  .refine((o) => o.maxCost === undefined || o.costPer1kPromptTokens > 0 || o.costPer1kCompletionTokens > 0, {
    message: 'a cost budget needs a price per 1k tokens (spec: costPer1kPromptTokens or costPer1kCompletionTokens; flags: --llm-cost-per-1k-prompt or --llm-cost-per-1k-completion): without one every call costs 0 and the budget never ends',
    path: ['maxCost'],
  });
export type LlmOptions = z.infer<typeof LlmOptions>;

/** The endpoint part of a campaign's LLM options: what a reviewing worker needs. */
export function endpointOf(options: LlmOptions): LlmEndpoint {
  const keys = Object.keys(LlmEndpoint.shape) as (keyof LlmEndpoint)[];
  return Object.fromEntries(keys.map((key) => [key, options[key]])) as LlmEndpoint;
}
export type LlmOptionsInput = z.input<typeof LlmOptions>;

/** The key, from the environment only. Servers such as Ollama ignore it but the client needs a value. */
export function apiKeyFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.KEVO_LLM_API_KEY ?? 'unset';
}
