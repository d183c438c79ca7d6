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

/** The problem a user named: an op, its --shape text, and the problem's other fields. Throws BAD_INPUT. */
export function problemFrom(opName: string, shapeText: string, fields: Record<string, unknown> = {}): Problem {
  const op = opByName(opName);
  return parseProblem({ ...fields, op: op.name, shape: op.parseShape(shapeText) });
}
