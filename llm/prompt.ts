import { z } from 'zod';
import { canonicalHash } from '../lib/hash.ts';

/** What a prompt asks the LLM for: a JSON edit of a genome, or a whole WAT/WGSL source. */
export const PromptTask = z.enum(['edit', 'source']);
export type PromptTask = z.infer<typeof PromptTask>;

export const ExemplarPolicy = z
  .object({
    best: z.number().int().min(0).max(6),
    diverse: z.number().int().min(0).max(6),
    failed: z.number().int().min(0).max(6),
  })
  .strict();
export type ExemplarPolicy = z.infer<typeof ExemplarPolicy>;

/**
 * The evolvable part of a prompt, as data. The facts sections (op contract and
 * reference, device facts, exemplars drawn from the archive, output contract)
 * are filled in at render time from the campaign; what evolves is how the
 * prompt speaks (role, guidance), what it teaches (playbook items) and how
 * many of which exemplars it shows.
 */
export const PromptGenome = z
  .object({
    task: PromptTask,
    role: z.string().min(1).max(4000),
    guidance: z.string().max(4000),
    playbook: z.array(z.string().min(1).max(800)).max(20),
    exemplars: ExemplarPolicy,
  })
  .strict();
export type PromptGenome = z.infer<typeof PromptGenome>;

export const PromptOperator = z.enum(['seed', 'meta-rewrite', 'meta-crossover']);
export type PromptOperator = z.infer<typeof PromptOperator>;

/** A prompt with its lineage, as the store's prompts table keeps it. */
export const PromptRecord = z
  .object({
    id: z.string().min(1),
    genome: PromptGenome,
    parents: z.array(z.string()),
    operator: PromptOperator,
    generation: z.number().int().min(0),
  })
  .strict();
export type PromptRecord = z.infer<typeof PromptRecord>;

/** The fitness of a prompt is that of the kernels it produced. */
export const PromptScore = z
  .object({
    proposals: z.number().int().min(0),
    /** Proposals the harness accepted (verified and timed). */
    valid: z.number().int().min(0),
    bestSpeedup: z.number().nullable(),
  })
  .strict();
export type PromptScore = z.infer<typeof PromptScore>;

/** Same content, same id: a prompt bred twice is stored once. */
export function promptId(genome: PromptGenome): string {
  return canonicalHash(genome);
}

export function promptRecord(genome: PromptGenome, parents: readonly PromptRecord[], operator: PromptOperator): PromptRecord {
  const generation = parents.length === 0 ? 0 : Math.max(...parents.map((p) => p.generation)) + 1;
  return { id: promptId(genome), genome, parents: parents.map((p) => p.id), operator, generation };
}

export function validityRate(score: PromptScore): number {
  return score.proposals === 0 ? 0 : score.valid / score.proposals;
}

/**
 * One number to select prompts by: best speedup weighted by validity, so a
 * prompt that once hit 1.5x in ten tries ranks below one at 1.3x every time.
 */
export function promptFitness(score: PromptScore): number {
  return validityRate(score) * (score.bestSpeedup ?? 0);
}
