import type { z } from 'zod';
import { describeZodError } from '../lib/errors.ts';
import type { CachedReply } from './cache.ts';
import type { LlmFailureKind } from './ledger.ts';

export type Interpreted<T> = { ok: true; value: T } | { ok: false; failure: LlmFailureKind; reason: string };

/**
 * What a completed reply means: a value the schema accepts, or the reason it
 * is not one. Structured output is asked for, but servers differ in how well
 * they honour it, so every reply is validated here whatever was promised.
 */
export function interpretReply<T>(reply: CachedReply, schema: z.ZodType<T>): Interpreted<T> {
  if (reply.refusal) return { ok: false, failure: 'refusal', reason: `refused: ${clip(reply.refusal)}` };
  const content = reply.content?.trim() ?? '';
  if (content === '') {
    const why = reply.finishReason === 'length' ? 'truncated' : 'empty';
    return { ok: false, failure: why, reason: `empty reply (finish_reason ${reply.finishReason ?? 'none'})` };
  }
  const json = parseJson(content);
  if (json === undefined) {
    const failure = reply.finishReason === 'length' ? 'truncated' : 'invalid_json';
    return { ok: false, failure, reason: `reply is not JSON: ${clip(content)}` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, failure: 'schema', reason: `reply breaks the schema: ${clip(describeZodError(parsed.error))}` };
  return { ok: true, value: parsed.data };
}

/** Plain JSON, or JSON inside a markdown fence or after a preamble (common with json_object mode). */
function parseJson(text: string): unknown {
  const candidates = [text, text.match(/```(?:json)?\s*([\s\S]*?)```/)?.[1], text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      return JSON.parse(candidate) as unknown;
    } catch {
      // try the next reading
    }
  }
  return undefined;
}

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
