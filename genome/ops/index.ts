import { parseOrThrow } from '../../lib/errors.ts';
import { Problem as ProblemSchema, type Problem } from './problem.ts';
import { opByName, opFor } from './registry.ts';

export * from './accuracy.ts';
export * from './epilogue.ts';
export * from './matmul-problem.ts';
export * from './op.ts';
export * from './problem.ts';
export * from './registry.ts';

/**
 * A stable key for a problem, e.g. "matmul:512x512x512:f32", "matmul:100x70x50:f32:bias+gelu+residual"
 * or "matmul:64x64x256:w4:g32" (the group only where the scheme has one, so older keys are unchanged).
 */
export function problemKey(problem: Problem): string {
  const op = opFor(problem);
  const variant = op.variant?.(problem);
  const group = problem.group === undefined ? '' : `:g${problem.group}`;
  return `${problem.op}:${op.formatShape(problem.shape)}:${problem.dtype}${group}${variant ? `:${variant}` : ''}`;
}

/** Any registered op's problem from untrusted data; BAD_INPUT naming the zod path. */
export function parseProblem(value: unknown): Problem {
  return parseOrThrow(ProblemSchema, value, 'problem');
}

/** The problem a user named: an op, its --shape text, and the problem's other fields. Throws BAD_INPUT. */
export function problemFrom(opName: string, shapeText: string, fields: Record<string, unknown> = {}): Problem {
  const op = opByName(opName);
  return parseProblem({ ...fields, op: op.name, shape: op.parseShape(shapeText) });
}
