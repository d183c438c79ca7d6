import type { Precision } from '../genome/ops/index.ts';
import { KevoError } from '../lib/errors.ts';
import { Rng } from '../lib/rng.ts';
import type { DeviceClass } from '../protocol/device.ts';
import type { KernelJob } from '../protocol/job.ts';
import type { KernelResult, KernelSource, StageVerdict, Status, Timing } from '../protocol/result.ts';
import { verifyContext } from '../verifiers/context.ts';
import { randomInputs } from '../verifiers/inputs.ts';
import { describeFailure, runStage, verify, type VerifyFailure } from '../verifiers/harness.ts';
import type { Kernel, KernelBuilder } from '../verifiers/kernel.ts';
import type { ErrorTally } from '../verifiers/measured.ts';
import { spotCheck } from '../verifiers/spotcheck.ts';
import { HARNESS_VERSION } from '../verifiers/version.ts';
import { resultFor } from '../protocol/result.ts';
import { timeSideBySide, timingOf } from './timing.ts';

export interface EvaluateArgs {
  readonly job: KernelJob;
  readonly build: KernelBuilder;
  readonly buildBaseline: KernelBuilder;
  readonly device: DeviceClass;
  readonly source: KernelSource;
  readonly worker: string;
  readonly precision: Precision;
  /** Whether `build` can build the op's edge shapes (a source text is written for one shape). Default true. */
  readonly edgeShapes?: boolean;
}

/**
 * The job's deadline also kills the thread (or GPU process) from outside;
 * stopping ourselves a little earlier turns a slow kernel into a timeout
 * result that keeps its verdicts instead of a bare kill.
 */
const SELF_DEADLINE = 0.9;

/**
 * Verify, then time against the baseline, and say what happened as a result.
 * Backend-independent: it speaks only Kernel. Never throws: whatever the
 * kernel or its builder does becomes a status with a stage and a reason.
 */
export async function evaluateKernel(args: EvaluateArgs): Promise<KernelResult> {
  const { job, device, source, worker } = args;
  const start = performance.now();
  const finish = (status: Status, verdicts: StageVerdict[], more: Partial<KernelResult> = {}): KernelResult =>
    resultFor(job, { status, verdicts, deviceClass: device, kernel: source, precision: args.precision, harnessVersion: HARNESS_VERSION, worker, elapsedMs: performance.now() - start, ...more });
  const verdicts: StageVerdict[] = [];
  try {
    const deadlineAt = start + job.budgets.deadlineMs * SELF_DEADLINE;
    const verification = await verify(args.build, job.problem, { seed: job.seed, precision: args.precision, deadlineAt, edgeShapes: args.edgeShapes });
    verdicts.push(...verification.verdicts);
    if (!verification.kernel) return failed(finish, verdicts, verification.failure!);
    const kernel = verification.kernel;
    try {
      if (job.verifyOnly) {
        const ctx = spotContext(args, deadlineAt);
        const failure = await runStage('spotcheck', () => spotCheck(kernel, ctx, 'after verification'), verdicts);
        if (failure) return failed(finish, verdicts, failure);
        verification.errors.merge(ctx.errors);
        return finish('ok', verdicts, { measuredError: verification.errors.measured() });
      }
      const outcome = await timeAgainstBaseline(kernel, args, deadlineAt, verdicts);
      if ('failure' in outcome) return failed(finish, verdicts, outcome.failure);
      verification.errors.merge(outcome.errors);
      return finish('ok', verdicts, { timing: outcome.timing, measuredError: verification.errors.measured() });
    } finally {
      await kernel.dispose();
    }
  } catch (error) {
    return failed(finish, verdicts, describeFailure('worker', error));
  }
}

async function timeAgainstBaseline(
  kernel: Kernel,
  args: EvaluateArgs,
  deadlineAt: number,
  verdicts: StageVerdict[],
): Promise<{ timing: Timing; errors: ErrorTally } | { failure: VerifyFailure }> {
  const { job } = args;
  const ctx = spotContext(args, deadlineAt);
  let baseline: Kernel;
  try {
    baseline = await args.buildBaseline(job.problem);
    await baseline.write(randomInputs(job.problem, 'normal', ctx.rng, ctx.format));
  } catch (error) {
    return { failure: describeFailure('baseline', error) };
  }
  let spotFailure: VerifyFailure | undefined;
  const checkpoint = async (when: string) => {
    spotFailure = await runStage('spotcheck', () => spotCheck(kernel, ctx, when), verdicts);
    if (spotFailure) throw new Error(spotFailure.reason);
  };
  try {
    const sides = await timeSideBySide(kernel, baseline, { budgets: job.budgets, stopAt: deadlineAt, checkpoint });
    const prepareMs = kernel.prepareMs();
    return { timing: { ...timingOf(job.problem, sides), ...(prepareMs === undefined ? {} : { prepareMs }) }, errors: ctx.errors };
  } catch (error) {
    return { failure: spotFailure ?? describeFailure('timing', error) };
  } finally {
    await baseline.dispose();
  }
}

/** A seed of its own, so the spot checks' inputs are not the ones the stages saw. */
function spotContext(args: EvaluateArgs, deadlineAt: number) {
  return verifyContext(args.job.problem, new Rng(args.job.seed ^ 0x5bd1e995), args.precision, deadlineAt);
}

function failed(finish: (status: Status, verdicts: StageVerdict[], more?: Partial<KernelResult>) => KernelResult, verdicts: StageVerdict[], failure: VerifyFailure): KernelResult {
  return finish(statusOf(failure), verdicts, { stage: failure.stage, reason: failure.reason });
}

/** Whose fault, in the protocol's words: a wrong answer, no kernel at all, a crash, or no time left. */
export function statusOf(failure: VerifyFailure): Status {
  if (failure.kind === 'rejected') return 'rejected';
  if (failure.kind === 'timeout') return 'timeout';
  if (failure.cause instanceof KevoError && failure.cause.code === 'ASSEMBLE') return 'compile_error';
  if (failure.cause instanceof KevoError && failure.cause.code === 'UNAVAILABLE') return 'unsupported';
  return 'runtime_error';
}
