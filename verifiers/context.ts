import type { FloatLimits, Storage } from '../genome/dtypes/index.ts';
import { numericAccuracy, opFor, outputsOf, type Op, type Precision, type Problem, type Tolerance } from '../genome/ops/index.ts';
import type { Rng } from '../lib/rng.ts';
import { checkInputsUnchanged, checkOutput, type Allowance } from './compare.ts';
import { expectedOutputs, type Expected } from './expected.ts';
import { DeadlineExceeded, StageFailure } from './failure.ts';
import { formats } from './inputs.ts';
import type { Kernel } from './kernel.ts';
import { ErrorTally } from './measured.ts';

/** What every stage works from: the problem, the seeded randomness, the error model and the clock. */
export interface VerifyContext {
  readonly problem: Problem;
  readonly op: Op;
  readonly rng: Rng;
  readonly precision: Precision;
  readonly format: FloatLimits;
  /** performance.now() past which stages stop with DeadlineExceeded. */
  readonly deadlineAt: number;
  /** The errors of every passing check so far, for the result's MeasuredError. */
  readonly errors: ErrorTally;
}

export function verifyContext(problem: Problem, rng: Rng, precision: Precision, deadlineAt = Infinity): VerifyContext {
  return { problem, op: opFor(problem), rng, precision, format: formats[precision], deadlineAt, errors: new ErrorTally() };
}

export function checkDeadline(ctx: Pick<VerifyContext, 'deadlineAt'>): void {
  if (performance.now() > ctx.deadlineAt) throw new DeadlineExceeded('the job deadline passed during verification');
}

/** One honest run: fresh inputs in, outputs poisoned, run, every output out (ABI order). */
export async function runOn(kernel: Kernel, inputs: readonly Storage[], ctx: VerifyContext): Promise<Storage[]> {
  checkDeadline(ctx);
  await kernel.write(inputs);
  await kernel.poison();
  await kernel.run();
  return kernel.readOutputs();
}

export function toleranceFor(ctx: VerifyContext, problem: Problem = ctx.problem): Tolerance {
  return opFor(problem).tolerance(problem, ctx.precision);
}

/**
 * A numeric accuracy's tolerance for one check (genome/ops/accuracy.ts:
 * numericAccuracy): the bound times the check's scale, the largest magnitude
 * bound among the elements it judges (overflowing and NaN ones left out), the
 * same for every element. Then err / limit, the result's
 * MeasuredError.ofTolerance, is the measured error over the bound.
 */
export function numericTolerance(accuracy: number, expected: Expected, allow: Allowance = {}): Tolerance {
  let scale = 0;
  for (const magnitude of expected.magnitude) {
    if (Number.isFinite(magnitude) && !(allow.overflowFrom !== undefined && magnitude >= allow.overflowFrom)) scale = Math.max(scale, magnitude);
  }
  return { abs: accuracy * scale, rel: 0 };
}

export interface CheckOptions {
  readonly allow?: Allowance;
  /** The inputs are N(0, 1) draws: the check's absolute and relative errors count in the measured error. */
  readonly typical?: boolean;
}

/** Run on `inputs` and throw a StageFailure naming `inputCase` (and the output tensor) unless every output matches its reference. */
export async function expectCorrect(
  kernel: Kernel,
  inputs: readonly Storage[],
  ctx: VerifyContext,
  inputCase: string,
  options: CheckOptions = {},
): Promise<void> {
  const problem = kernel.problem;
  const got = await runOn(kernel, inputs, ctx);
  const expected = expectedOutputs(problem, inputs, ctx.rng, ctx.precision);
  const typical = options.typical ?? false;
  const measure = (err: number, limit: number, want: number) => ctx.errors.add(err, limit, want, typical);
  const accuracy = numericAccuracy(problem);
  const specs = outputsOf(opFor(problem), problem);
  for (const [i, spec] of specs.entries()) {
    const tolerance = accuracy === undefined ? toleranceFor(ctx, problem) : numericTolerance(accuracy, expected[i]!, options.allow);
    const complaint = checkOutput(got[i]!, expected[i]!, tolerance, spec, options.allow, measure);
    if (complaint) throw new StageFailure(complaint, inputCase);
  }
}

/** Throw a StageFailure if the kernel changed any input since `written`. */
export async function expectInputsUnchanged(kernel: Kernel, written: readonly Storage[], inputCase: string): Promise<void> {
  const complaint = checkInputsUnchanged(written, await kernel.readInputs(), opFor(kernel.problem).inputs(kernel.problem));
  if (complaint) throw new StageFailure(complaint, inputCase);
}
