import type { Command } from 'commander';
import { z } from 'zod';
import { KevoError } from '../lib/errors.ts';
import { Epilogue } from '../genome/ops/epilogue.ts';
import { problemFieldIssue, problemFrom, type Problem } from '../genome/ops/index.ts';
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
/** `--epilogue bias,gelu,residual`: the stages in order; an unknown stage or a wrong order names it. */
export const epilogueFlag = z
  .string()
  .transform((text) => text.split(',').map((stage) => stage.trim()))
  .pipe(Epilogue)
  .optional();

/** `--stride 1|2` and `--pad same|valid`: a convolution's geometry (an op without one refuses them, naming the flag). */
export const strideFlag = z.enum(['1', '2'], { error: 'expected 1 or 2' }).transform(Number).optional();
export const padFlag = z.enum(['same', 'valid'], { error: 'expected same or valid' }).optional();

/** The problem fields flags set, leaving out those not given so the op's defaults apply. */
export function problemFlagFields(flags: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(['accuracy', 'epilogue', 'dtype', 'group', 'zeroPoint', 'exponentBlock', 'weights', 'output', 'stride', 'pad'].filter((key) => flags[key] !== undefined).map((key) => [key, flags[key]]));
}

/** The problem named by <op>, --shape and the problem flags; a field the op refuses names its flag. */
export function problemFromFlags(op: string, shape: string, flags: Record<string, unknown>): Problem {
  const fields = problemFlagFields(flags);
  const issue = problemFieldIssue(op, shape, fields);
  if (issue?.field !== undefined) throw new KevoError('BAD_INPUT', `${flagName(issue.field)}: ${issue.message}`);
  return problemFrom(op, shape, fields);
}

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
