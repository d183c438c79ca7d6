import type { Precision, Problem } from '../genome/ops/index.ts';
import { KevoError } from '../lib/errors.ts';
import { Rng } from '../lib/rng.ts';
import type { StageVerdict } from '../protocol/result.ts';
import { verifyContext } from './context.ts';
import { determinism } from './determinism.ts';
import { edges } from './edges.ts';
import { DeadlineExceeded, StageFailure } from './failure.ts';
import type { Kernel, KernelBuilder } from './kernel.ts';
import { loophole } from './loophole.ts';
import type { ErrorTally } from './measured.ts';
import { numerics } from './numerics.ts';
import { shapes } from './shapes.ts';
import { smoke } from './smoke.ts';

export interface VerifyOptions {
  readonly seed: number;
  readonly precision: Precision;
  /** performance.now() past which verification stops with a timeout failure. */
  readonly deadlineAt?: number;
  /** Whether the builder can build the op's edge shapes; a source text is written for one shape. Default true. */
  readonly edgeShapes?: boolean;
}

/**
 * Why verification stopped. `kind` says whose fault: the kernel computed a
 * wrong answer (rejected), it threw (the error is `cause`: an assembler error,
 * a trap, out of memory), or the job ran out of time.
 */
export interface VerifyFailure {
  readonly stage: string;
  readonly reason: string;
  readonly kind: 'rejected' | 'error' | 'timeout';
  readonly cause?: unknown;
}

export interface Verification {
  readonly verdicts: StageVerdict[];
  readonly failure?: VerifyFailure;
  /** The problem's kernel, verified, for the timing: the caller disposes it. Absent on failure. */
  readonly kernel?: Kernel;
  /** The errors of the checks the kernel passed. */
  readonly errors: ErrorTally;
}

/** The order of the design: cheap and blunt first, so a broken kernel costs little. */
export const STAGES = ['smoke', 'shapes', 'numerics', 'determinism', 'edges', 'loophole'] as const;

/** Runs the stages in order and stops at the first failure; never throws for anything the kernel does. */
export async function verify(build: KernelBuilder, problem: Problem, opts: VerifyOptions): Promise<Verification> {
  const ctx = verifyContext(problem, new Rng(opts.seed), opts.precision, opts.deadlineAt);
  const verdicts: StageVerdict[] = [];
  let kernel: Kernel | undefined;
  const stages: Record<(typeof STAGES)[number], (k: Kernel) => Promise<unknown>> = {
    smoke: async () => (kernel = await smoke(build, ctx)),
    shapes: (k) => shapes(k, build, ctx, opts.edgeShapes ?? true),
    numerics: (k) => numerics(k, ctx),
    determinism: (k) => determinism(k, ctx),
    edges: (k) => edges(k, ctx),
    loophole: (k) => loophole(k, ctx),
  };
  for (const stage of STAGES) {
    const failure = await runStage(stage, () => stages[stage](kernel!), verdicts);
    if (failure) {
      await kernel?.dispose();
      return { verdicts, failure, errors: ctx.errors };
    }
  }
  return { verdicts, kernel, errors: ctx.errors };
}

/** Runs one stage, appends its verdict, and returns the failure if it failed. */
export async function runStage(stage: string, body: () => Promise<unknown>, verdicts: StageVerdict[]): Promise<VerifyFailure | undefined> {
  const start = performance.now();
  let failure: VerifyFailure | undefined;
  try {
    await body();
  } catch (error) {
    failure = describeFailure(stage, error);
  }
  const ms = performance.now() - start;
  verdicts.push(failure ? { stage, ok: false, reason: failure.reason, ms } : { stage, ok: true, ms });
  return failure;
}

export function describeFailure(stage: string, error: unknown): VerifyFailure {
  if (error instanceof StageFailure) {
    const inCase = error.inputCase ? ` (${error.inputCase})` : '';
    return { stage, reason: `${stage}${inCase}: ${error.detail}`, kind: 'rejected' };
  }
  if (error instanceof DeadlineExceeded) return { stage, reason: `${stage}: ${error.message}`, kind: 'timeout' };
  return { stage, reason: `${stage}: ${explain(error)}`, kind: 'error', cause: error };
}

function explain(error: unknown): string {
  if (error instanceof KevoError && error.code === 'ASSEMBLE') return `does not assemble: ${error.message}`;
  if (error instanceof WebAssembly.RuntimeError) return `the kernel trapped: ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
