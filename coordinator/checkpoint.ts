import { z } from 'zod';

/** Where one problem's search stands: enough to rebuild its strategy and go on. */
export const ProblemProgress = z
  .object({
    generation: z.number().int().min(0),
    /** Candidates proposed so far, cached ones included (what the evaluation budget counts). */
    asked: z.number().int().min(0),
    cached: z.number().int().min(0),
    done: z.boolean(),
    strategy: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type ProblemProgress = z.infer<typeof ProblemProgress>;

/**
 * Written after every generation, in the same transaction as nothing else:
 * a generation's results are already ingested (idempotently) when it is
 * written, so a crash between the two only costs re-asking that generation,
 * whose genomes are then answered from the store.
 */
export const Checkpoint = z
  .object({
    problems: z.record(z.string(), ProblemProgress),
    /** Wall seconds spent in earlier runs, for the seconds budget across resumes. */
    seconds: z.number().min(0),
  })
  .strict();
export type Checkpoint = z.infer<typeof Checkpoint>;

export const emptyCheckpoint = (): Checkpoint => ({ problems: {}, seconds: 0 });
export const startProgress = (): ProblemProgress => ({ generation: 0, asked: 0, cached: 0, done: false });
