import type { z } from 'zod';
import { quote } from './quote.ts';

/**
 * Codes callers branch on (never on message text). The CLI maps them to exit
 * statuses: BAD_INPUT and NOT_FOUND are the user's to fix (2), the rest are ours (1).
 */
export type KevoErrorCode =
  | 'BAD_INPUT'
  | 'NOT_FOUND'
  | 'UNAVAILABLE'
  | 'ASSEMBLE'
  | 'FAILURE';

export class KevoError extends Error {
  override readonly name = 'KevoError';
  constructor(
    readonly code: KevoErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const MAX_ISSUES = 5;

/**
 * One line per zod issue (the first few), each led by its path, e.g.
 * `problems.0.shape.m: expected a positive integer`. Keys come from the
 * user's input, so they are quoted and cut like any echoed input.
 */
export function describeZodError(error: z.ZodError, root?: string): string {
  const lines = error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const path = [root, ...issue.path.map(pathPart)].filter((p) => p !== undefined && p !== '').join('.');
    const message = issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.slice(0, MAX_ISSUES).map((k) => quote(k)).join(', ')}` : issue.message;
    return `${path || '(root)'}: ${message}`;
  });
  const more = error.issues.length - MAX_ISSUES;
  return [...lines, ...(more > 0 ? [`and ${more} more`] : [])].join('; ');
}

function pathPart(part: PropertyKey): string {
  return typeof part === 'string' && !/^[\w$-]{1,40}$/.test(part) ? quote(part, 40) : String(part);
}

/** Parse with a schema or throw BAD_INPUT naming the zod path of every problem. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new KevoError('BAD_INPUT', `invalid ${what}: ${describeZodError(parsed.error)}`);
  return parsed.data;
}
