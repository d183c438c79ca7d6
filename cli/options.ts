import type { Command } from 'commander';
import { z } from 'zod';
import { KevoError } from '../lib/errors.ts';
import { flagName } from '../lib/flags.ts';

/** Integers from flag text, with messages that read well after the flag's name. */
export const intFlag = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^-?\d+$/, { error: 'expected an integer' })
    .transform(Number)
    .pipe(z.number().min(min, { error: `must be at least ${min}` }).max(max, { error: `must be at most ${max}` }));

export const numberFlag = (min: number) =>
  z
    .string()
    .refine((s) => s.trim() !== '' && Number.isFinite(Number(s)), { error: 'expected a number' })
    .transform(Number)
    .pipe(z.number().min(min, { error: `must be at least ${min}` }));

export const LogLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

/** Validate a command's options; the error names the flag (--budget), not the zod path. */
export function parseFlags<S extends z.ZodType>(schema: S, options: unknown): z.infer<S> {
  const parsed = schema.safeParse(options);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const flag = issue.path.length > 0 ? flagName(String(issue.path[0])) : 'options';
  throw new KevoError('BAD_INPUT', `${flag}: ${issue.message}`);
}

export function addCommonOptions(command: Command): Command {
  return command
    .option('--db <path>', 'SQLite database file', 'kevo.db')
    .option('--json', 'print one JSON object on stdout instead of a table')
    .option('--log-level <level>', 'trace|debug|info|warn|error|silent', 'warn');
}

export const CommonFlags = {
  db: z.string().min(1),
  json: z.boolean().optional(),
  logLevel: LogLevel,
};
