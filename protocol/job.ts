import { z } from 'zod';
import { Genome } from '../genome/genome.ts';
import { Problem } from '../genome/ops/problem.ts';
import { SourceGenome } from '../genome/source.ts';
import { envelope } from './envelope.ts';

export { PROTOCOL_VERSION } from './envelope.ts';

export const Budgets = z
  .object({
    /** Hard wall-clock limit for the whole job; past it the thread (or GPU process) is killed. */
    deadlineMs: z.number().int().min(100).max(3_600_000).default(60_000),
    /** Time allowed for timing the candidate (the baseline gets the same). */
    timingMs: z.number().int().min(1).max(600_000).default(1_500),
    minSamples: z.number().int().min(1).max(10_000).default(5),
    maxSamples: z.number().int().min(1).max(100_000).default(200),
  })
  .strict();
export type Budgets = z.infer<typeof Budgets>;

export const KernelJob = z
  .object({
    ...envelope('kernel'),
    problem: Problem,
    genome: Genome,
    /** Seeds every input the verifiers draw, so a job is reproducible anywhere. */
    seed: z.number().int().min(0).max(2 ** 32 - 1),
    budgets: Budgets,
    /** The device class this job must be timed on; absent: any worker of the genome's backend. */
    deviceClassId: z.string().optional(),
    /** The harness and one spot check, no timing: `kevo reverify` re-judging a stored kernel. Its ok result has no timing. */
    verifyOnly: z.boolean().optional(),
  })
  .strict();
export type KernelJob = z.infer<typeof KernelJob>;

/**
 * An LLM reads a candidate source against the op contract before the
 * expensive timing. Only workers advertising the `llm` capability (configured
 * with an endpoint) take these; the review never runs the source.
 */
export const ReviewJob = z
  .object({
    ...envelope('review'),
    problem: Problem,
    genome: SourceGenome,
    /** Seeds the request, so a redelivered job asks the same question and hits the worker's cache. */
    seed: z.number().int().min(0).max(2 ** 32 - 1),
  })
  .strict();
export type ReviewJob = z.infer<typeof ReviewJob>;

/** Most kernels one promote job re-times, and most rounds. */
export const MAX_PROMOTE_GENOMES = 16;
export const MAX_PROMOTE_ROUNDS = 100;

/**
 * Re-time a few verified kernels against the baseline and each other: over
 * `rounds` rounds, in an order shuffled per round (seeded), each kernel is
 * verified and timed side by side with the baseline on one thread, one at a
 * time. The answer is the per-round timings, from which the coordinator
 * draws a speedup with a confidence interval (the promotion gate), or ranks
 * the kernels per device class (the portability report).
 */
export const PromoteJob = z
  .object({
    ...envelope('promote'),
    problem: Problem,
    genomes: z.array(Genome).min(1).max(MAX_PROMOTE_GENOMES),
    rounds: z.number().int().min(1).max(MAX_PROMOTE_ROUNDS),
    seed: z.number().int().min(0).max(2 ** 32 - 1),
    /** Each kernel's budgets in each round. */
    budgets: Budgets,
    /** The device class it must be timed on; absent: any worker of the genomes' backend. */
    deviceClassId: z.string().optional(),
    /** The one worker that should take it (by its heartbeat name): the promotion gate re-times elsewhere than the finder. */
    worker: z.string().min(1).max(200).optional(),
    /**
     * Run the rounds on a runner started for this job and closed after it (a fresh thread, a fresh GPU process), not
     * the worker's warm one: the gate asks it when it re-times on the worker that found the kernels, so the search's
     * JIT and cache state there do not bias the re-timing.
     */
    freshThread: z.boolean().optional(),
  })
  .strict()
  .refine((job) => job.genomes.every((g) => g.backend === job.genomes[0]!.backend), { error: 'every genome of a promote job has one backend', path: ['genomes'] });
export type PromoteJob = z.infer<typeof PromoteJob>;

export const Job = z.discriminatedUnion('kind', [KernelJob, ReviewJob, PromoteJob]);

/** The capability a worker advertises (among its backends) when it answers review jobs. */
export const LLM_CAPABILITY = 'llm';
export type Job = z.infer<typeof Job>;
