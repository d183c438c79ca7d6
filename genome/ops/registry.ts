import { KevoError } from '../../lib/errors.ts';
import { quote } from '../../lib/quote.ts';
import { convOps } from './conv/ops.ts';
import type { ConvProblem } from './conv/problem.ts';
import { matmul } from './matmul.ts';
import { eraseOp, type Op } from './op.ts';
import type { Problem } from './problem.ts';

const ops = new Map<string, Op>();

/**
 * Makes an op known to this process: its problems parse, its kernels can be
 * verified. Built-in ops register here; a new op's module calls this once
 * (see docs/architecture.md, "Add an op"). Registering the same op object
 * twice is a no-op; another op under a taken name is refused.
 */
export function registerOp<P extends Problem>(op: Op<P>): void {
  const known = ops.get(op.name);
  if (known && known.problem === op.problem) return;
  if (known) throw new KevoError('BAD_INPUT', `op "${op.name}" is already registered`);
  ops.set(op.name, eraseOp(op));
}

export function findOp(name: string): Op | undefined {
  return ops.get(name);
}

export function opNames(): string[] {
  return [...ops.keys()];
}

export function opByName(name: string): Op {
  const op = ops.get(name);
  if (!op) throw new KevoError('BAD_INPUT', `unknown op ${quote(name)}: expected one of ${opNames().join(', ')}`);
  return op;
}

export function opFor(problem: Problem): Op {
  return opByName(problem.op);
}

registerOp(matmul);
convOps.forEach((op: Op<ConvProblem>) => registerOp(op));
