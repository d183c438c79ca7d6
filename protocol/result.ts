import { z } from 'zod';
import { Genome, genomeHash } from '../genome/genome.ts';
import { Launch } from '../genome/families/launch.ts';
import { Problem } from '../genome/ops/problem.ts';
import { DeviceClass } from './device.ts';
import { answering, envelope } from './envelope.ts';
import type { PromoteJob } from './job.ts';

/**
 * ok: verified and timed. rejected: a verifier stage failed (stage and reason say which).
 * compile_error: the source did not assemble or compile. runtime_error: a trap,
 * out-of-memory or device loss. timeout: the job's deadline killed it.
 * unsupported: this worker cannot run the genome (missing feature). dead_letter:
 * delivery gave up after max_deliver attempts.
 */
export const Status = z.enum(['ok', 'rejected', 'compile_error', 'runtime_error', 'timeout', 'unsupported', 'dead_letter']);
export type Status = z.infer<typeof Status>;

export const StageVerdict = z
  .object({
    stage: z.string(),
    ok: z.boolean(),
    reason: z.string().optional(),
    ms: z.number().nonnegative(),
  })
  .strict();
export type StageVerdict = z.infer<typeof StageVerdict>;

export const Timing = z
  .object({
    medianMs: z.number().positive(),
    p10Ms: z.number().positive(),
    p90Ms: z.number().positive(),
    samples: z.number().int().positive(),
    gflops: z.number().nonnegative(),
    baselineMedianMs: z.number().positive(),
    baselineGflops: z.number().nonnegative(),
    /** baseline median / candidate median, both timed in this job on this thread. */
    speedup: z.number().positive(),
    /** A kernel that packs its weights at load time: how long its last pack took (not in medianMs, as XNNPACK's packing is not in its run). */
    prepareMs: z.number().nonnegative().optional(),
  })
  .strict();
export type Timing = z.infer<typeof Timing>;

/**
 * How far a verified kernel's outputs were from the f64 reference, as the
 * harness measured them. `ofTolerance` is the largest
 * |got - want| / (abs + rel * magnitude + allowance) over every element judged
 * by tolerance in every stage and spot check: at most 1 for a kernel that
 * passed, it says how much of the error budget the kernel used. `maxAbs` and
 * `maxRel` (|got - want| / |want|, want nonzero) come from the checks on
 * N(0, 1) inputs only, where they mean something: edge cases scale inputs by
 * powers of two far from 1. `elements` counts the elements behind ofTolerance.
 * Under a numeric accuracy (genome/ops/accuracy.ts) every check's limit is
 * that accuracy times the check's scale, so ofTolerance x accuracy is the
 * kernel's measured error in the contract's own terms (the front's error axis).
 */
export const MeasuredError = z
  .object({
    ofTolerance: z.number().nonnegative(),
    maxAbs: z.number().nonnegative(),
    maxRel: z.number().nonnegative(),
    elements: z.number().int().positive(),
  })
  .strict();
export type MeasuredError = z.infer<typeof MeasuredError>;

/** The kernel as it ran: its text and its launch (absent only in results from before launches were kept). */
export const KernelSource = z.object({ language: z.enum(['wat', 'wgsl']), text: z.string(), launch: Launch.optional() }).strict();
export type KernelSource = z.infer<typeof KernelSource>;

export const KernelResult = z
  .object({
    ...envelope('kernel'),
    problem: Problem,
    genome: Genome,
    status: Status,
    /** The stage that decided a non-ok status: a verifier stage, 'assemble', 'compile', 'deadline', ... */
    stage: z.string().optional(),
    reason: z.string().optional(),
    verdicts: z.array(StageVerdict),
    timing: Timing.optional(),
    /** Present on ok results; absent from results of kevo before it was measured. */
    measuredError: MeasuredError.optional(),
    deviceClass: DeviceClass.optional(),
    kernel: KernelSource.optional(),
    /** The compute precision the harness held the kernel to (its family's error model); absent when it never got that far. */
    precision: z.enum(['f32', 'f32-fma', 'f16', 'f32-winograd', 'i8', 'w4']).optional(),
    /** The verifier harness version that judged it (verifiers/version.ts); absent from results of kevo before versions. */
    harnessVersion: z.number().int().positive().optional(),
    worker: z.string(),
    elapsedMs: z.number().nonnegative(),
  })
  .strict();
export type KernelResult = z.infer<typeof KernelResult>;

export const ReviewVerdict = z
  .object({
    verdict: z.enum(['pass', 'fail', 'unsure']),
    reasons: z.array(z.string().max(2000)).max(20),
    /** The trick the reviewer suspects (caches results, skips work, writes an input...). */
    suspectedLoophole: z.string().max(2000).optional(),
  })
  .strict();
export type ReviewVerdict = z.infer<typeof ReviewVerdict>;

/**
 * The reviewer's verdict on one source. When the LLM call itself failed
 * (timeout, refusal, garbage) the verdict is 'unsure' and `failure` says why,
 * so a gate never blocks on a broken endpoint.
 */
export const ReviewResult = z
  .object({
    ...envelope('review'),
    genomeHash: z.string().min(1),
    review: ReviewVerdict,
    failure: z.string().optional(),
    model: z.string(),
    promptTokens: z.number().int().nonnegative(),
    completionTokens: z.number().int().nonnegative(),
    /** Answered from the worker's reply cache: no tokens spent. Absent from workers before it was reported. */
    cached: z.boolean().optional(),
    worker: z.string(),
    elapsedMs: z.number().nonnegative(),
  })
  .strict();
export type ReviewResult = z.infer<typeof ReviewResult>;

/** One kernel's timing in one round of a promote job: its median and the baseline's, side by side on one thread. */
export const RoundTiming = z.object({ medianMs: z.number().positive(), baselineMedianMs: z.number().positive() }).strict();
export type RoundTiming = z.infer<typeof RoundTiming>;

/**
 * The answer to a promote job. `kernels[i]` says what became of genome i
 * (its first round's status, and the kernel text it ran, which acceptance
 * checks as for a kernel result); `rounds[r][i]` is its timing in round r,
 * null where that round did not verify or time it; `orders[r]` the order the
 * genomes ran in round r.
 */
export const PromoteResult = z
  .object({
    ...envelope('promote'),
    kernels: z.array(
      z
        .object({
          genomeHash: z.string().min(1),
          status: Status,
          stage: z.string().optional(),
          reason: z.string().optional(),
          kernel: KernelSource.optional(),
        })
        .strict(),
    ),
    rounds: z.array(z.array(RoundTiming.nullable())),
    orders: z.array(z.array(z.number().int().nonnegative())),
    deviceClass: DeviceClass.optional(),
    harnessVersion: z.number().int().positive().optional(),
    worker: z.string(),
    /** The threads its kernel jobs ran on, as their results name them (a wasm thread: `name#threadId`). */
    threads: z.array(z.string()).optional(),
    /** The rounds ran on a runner started for this job and closed after it (PromoteJob.freshThread). */
    freshThread: z.boolean().optional(),
    elapsedMs: z.number().nonnegative(),
  })
  .strict();
export type PromoteResult = z.infer<typeof PromoteResult>;

export const Result = z.discriminatedUnion('kind', [KernelResult, ReviewResult, PromoteResult]);
export type Result = z.infer<typeof Result>;

type Outcome = Omit<KernelResult, 'v' | 'kind' | 'jobId' | 'campaignId' | 'problem' | 'genome'>;

/** A result that answers `job`: the job's ids, problem and genome, plus what became of it. */
export function resultFor(job: Pick<KernelResult, 'jobId' | 'campaignId' | 'problem' | 'genome'>, outcome: Outcome): KernelResult {
  return { ...answering('kernel', job), problem: job.problem, genome: job.genome, ...outcome };
}

/** A result for a job that produced no timing: how every layer reports a failure it caught. */
export function failureResult(
  job: Pick<KernelResult, 'jobId' | 'campaignId' | 'problem' | 'genome'>,
  failure: { status: Exclude<Status, 'ok'>; stage: string; reason: string; worker: string; elapsedMs?: number },
): KernelResult {
  return resultFor(job, { ...failure, verdicts: [], elapsedMs: failure.elapsedMs ?? 0 });
}

/** A promote job's answer when none of its rounds ran: every kernel with the one failure. */
export function promoteFailure(job: PromoteJob, failure: { status: Exclude<Status, 'ok'>; stage: string; reason: string; worker: string }): PromoteResult {
  const { status, stage, reason, worker } = failure;
  return { ...answering('promote', job), kernels: job.genomes.map((g) => ({ genomeHash: genomeHash(g), status, stage, reason })), rounds: [], orders: [], worker, elapsedMs: 0 };
}

/**
 * The result for a job of any kind that no evaluation answered (a dead
 * letter, a worker that could not take it). A review has no status field: its
 * verdict is 'unsure' and `failure` says why, as for a failed LLM call.
 */
export function failureFor(
  job: (Pick<KernelResult, 'jobId' | 'campaignId' | 'problem' | 'genome'> & { kind: 'kernel' | 'review' }) | PromoteJob,
  failure: { status: Exclude<Status, 'ok'>; stage: string; reason: string; worker: string },
): Result {
  if (job.kind === 'kernel') return failureResult(job, failure);
  if (job.kind === 'promote') return promoteFailure(job, failure);
  return reviewResultFor(job, {
    review: { verdict: 'unsure', reasons: [] },
    failure: `${failure.status} at ${failure.stage}: ${failure.reason}`,
    model: 'none',
    promptTokens: 0,
    completionTokens: 0,
    worker: failure.worker,
    elapsedMs: 0,
  });
}

/** A review result that answers `job`: its ids and the reviewed genome's hash, plus the verdict and its cost. */
export function reviewResultFor(
  job: { jobId: string; campaignId: string; genome: Genome },
  outcome: Omit<ReviewResult, 'v' | 'kind' | 'jobId' | 'campaignId' | 'genomeHash'>,
): ReviewResult {
  return { ...answering('review', job), genomeHash: genomeHash(job.genome), ...outcome };
}
