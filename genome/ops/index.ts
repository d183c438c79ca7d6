import { parseOrThrow } from '../../lib/errors.ts';
import { Problem as ProblemSchema, type Problem } from './problem.ts';
import { numericAccuracy } from './accuracy.ts';
import { opByName, opFor } from './registry.ts';

export * from './accuracy.ts';
export * from './epilogue.ts';
export * from './matmul-problem.ts';
export * from './op.ts';
export * from './problem.ts';
export * from './registry.ts';

/**
 * A stable key for a problem, e.g. "matmul:512x512x512:f32", "matmul:100x70x50:f32:bias+gelu+residual",
 * "matmul:64x64x256:w4:g32" (the group only where the scheme has one, so older keys are unchanged)
 * or "matmul:37x53x40:f32:err0.05" (a numeric accuracy; a class like f16 stays out of the key).
 */
export function problemKey(problem: Problem): string {
  const op = opFor(problem);
  const variant = op.variant?.(problem);
  const group = problem.group === undefined ? '' : `:g${problem.group}`;
  // A numeric accuracy is its own problem: its kernels (quantized ones among them) passed a bound no f32 contract accepts.
  const accuracy = numericAccuracy(problem);
  const bound = accuracy === undefined ? '' : `:err${accuracy}`;
  return `${problem.op}:${op.formatShape(problem.shape)}:${problem.dtype}${group}${variant ? `:${variant}` : ''}${bound}`;
}

/** Any registered op's problem from untrusted data; BAD_INPUT naming the zod path. */
export function parseProblem(value: unknown): Problem {
  return parseOrThrow(ProblemSchema, value, 'problem');
}

/**
 * The first issue the op's schema finds with a problem's fields, and the
 * field it is about (a wrong value, or a field the op does not have, such as
 * a stride for matmul), so a caller can name the flag that set it.
 */
export function problemFieldIssue(opName: string, shapeText: string, fields: Record<string, unknown>): { field: string | undefined; path: string; message: string } | undefined {
  const op = opByName(opName);
  const parsed = op.problem.safeParse({ ...fields, op: op.name, shape: op.parseShape(shapeText) });
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') return { field: issue.keys[0]!, path: issue.keys[0]!, message: `${op.name} problems have no ${issue.keys[0]}` };
  return { field: typeof issue.path[0] === 'string' ? issue.path[0] : undefined, path: issue.path.map(String).join('.'), message: issue.message };
}

/** The problem a user named: an op, its --shape text, and the problem's other fields. Throws BAD_INPUT. */
export function problemFrom(opName: string, shapeText: string, fields: Record<string, unknown> = {}): Problem {
  const op = opByName(opName);
  return parseProblem({ ...fields, op: op.name, shape: op.parseShape(shapeText) });
}
