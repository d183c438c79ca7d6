import { KevoError } from '../../lib/errors.ts';
import { quote } from '../../lib/quote.ts';
import { matmul } from './matmul.ts';
import type { Op } from './op.ts';
import type { Problem } from './problem.ts';

export * from './op.ts';
export * from './problem.ts';

const ops = { matmul } as const;

export const opNames = Object.keys(ops) as (keyof typeof ops)[];

export function opFor<P extends Problem>(problem: P): Op<P> {
  return ops[problem.op] as unknown as Op<P>;
}

export function opByName(name: string): Op {
  const op = (ops as Record<string, Op>)[name];
  if (!op) throw new KevoError('BAD_INPUT', `unknown op ${quote(name)}: expected one of ${opNames.join(', ')}`);
  return op;
}

/** A stable key for a problem, e.g. "matmul:512x512x512:f32". */
export function problemKey(problem: Problem): string {
  return `${problem.op}:${opFor(problem).formatShape(problem.shape)}:${problem.dtype}`;
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
