import { parseOrThrow } from '../../lib/errors.ts';
import { Problem as ProblemSchema, type Problem } from './problem.ts';
import { opByName, opFor } from './registry.ts';

export * from './accuracy.ts';
export * from './epilogue.ts';
export * from './matmul-problem.ts';
export * from './op.ts';
export * from './problem.ts';
export * from './registry.ts';

/** A stable key for a problem, e.g. "matmul:512x512x512:f32" or "matmul:100x70x50:f32:bias+gelu+residual". */
export function problemKey(problem: Problem): string {
  const op = opFor(problem);
  const variant = op.variant?.(problem);
  return `${problem.op}:${op.formatShape(problem.shape)}:${problem.dtype}${variant ? `:${variant}` : ''}`;
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Any registered op's problem from untrusted data; BAD_INPUT naming the zod path. */
export function parseProblem(value: unknown): Problem {
  return parseOrThrow(ProblemSchema, value, 'problem');
}

/**
 * The first problem field the op refuses (a wrong value, or a field it does
 * not have, such as a stride for matmul), so a caller can name the flag that
 * set it; undefined when the fields are fine or the issue is the shape's.
 */
export function problemFieldIssue(opName: string, shapeText: string, fields: Record<string, unknown>): { field: string; path: string; message: string } | undefined {
  const op = opByName(opName);
  const parsed = op.problem.safeParse({ ...fields, op: op.name, shape: op.parseShape(shapeText) });
  const issue = parsed.success ? undefined : parsed.error.issues[0]!;
  if (issue?.code === 'unrecognized_keys') return { field: issue.keys[0]!, path: issue.keys[0]!, message: `${op.name} problems have no ${issue.keys[0]}` };
  const field = issue?.path[0];
  return typeof field === 'string' && (field === 'shape' || field in fields) ? { field, path: issue!.path.join('.'), message: issue!.message } : undefined;
}

/** The problem a user named: an op, its --shape text, and the problem's other fields. Throws BAD_INPUT. */
export function problemFrom(opName: string, shapeText: string, fields: Record<string, unknown> = {}): Problem {
  const op = opByName(opName);
  return parseProblem({ ...fields, op: op.name, shape: op.parseShape(shapeText) });
}
