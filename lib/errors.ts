import type { z } from 'zod';

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

/** One line per zod issue, each led by its path, e.g. `problems.0.shape.m: expected a positive integer`. */
export function describeZodError(error: z.ZodError, root?: string): string {
  return error.issues
    .map((issue) => {
      const path = [root, ...issue.path.map(String)].filter((p) => p !== undefined && p !== '').join('.');
      return `${path || '(root)'}: ${issue.message}`;
    })
    .join('; ');
}

/** Parse with a schema or throw BAD_INPUT naming the zod path of every problem. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new KevoError('BAD_INPUT', `invalid ${what}: ${describeZodError(parsed.error)}`);
  return parsed.data;
}
