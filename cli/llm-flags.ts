import { z } from 'zod';
import { LlmEndpoint } from '../llm/options.ts';
import { intFlag } from './options.ts';

/** The --llm-* flags that name an endpoint, shared by `kevo run` (proposals) and `kevo worker` (reviews). */
export const LlmEndpointFlags = {
  llmBaseUrl: LlmEndpoint.shape.baseUrl.optional(),
  llmModel: z.string().min(1).optional(),
  llmTimeoutMs: intFlag(10, 600_000).optional(),
};

/** An endpoint is a URL and a model: one without the other is a mistake worth naming. */
export function withLlmEndpoint<S extends z.ZodType<{ llmBaseUrl?: string; llmModel?: string }>>(schema: S) {
  return schema.refine((f) => (f.llmBaseUrl === undefined) === (f.llmModel === undefined), {
    message: '--llm-base-url and --llm-model go together',
    path: ['llmBaseUrl'],
  });
}
