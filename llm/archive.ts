import { z } from 'zod';
import { Genome } from '../genome/genome.ts';
import { canonicalHash } from '../lib/hash.ts';
import type { ExemplarPolicy } from './prompt.ts';

export const ArchiveEntry = z
  .object({
    hash: z.string(),
    genome: Genome,
    fitness: z.number().nullable(),
    reason: z.string().optional(),
    descriptor: z.array(z.string()),
  })
  .strict();
export type ArchiveEntry = z.infer<typeof ArchiveEntry>;

export interface Exemplars {
  readonly best: readonly ArchiveEntry[];
  readonly diverse: readonly ArchiveEntry[];
  readonly failed: readonly ArchiveEntry[];
}

/**
 * What the LLM is shown of the campaign so far: every scored genome passes
 * through the LLM strategy's tell, so it keeps its own small archive of the
 * best, one per behaviour descriptor, and the latest failures with reasons.
 */
export class LlmArchive {
  private readonly entries = new Map<string, ArchiveEntry>();

  constructor(
    entries: readonly ArchiveEntry[] = [],
    private readonly limit = 64,
  ) {
    for (const entry of entries) this.entries.set(entry.hash, entry);
  }

  add(genome: Genome, fitness: number | null, descriptor: readonly string[], reason?: string): void {
    const hash = canonicalHash(genome);
    this.entries.delete(hash); // re-insert: map order is recency, which failures are picked by
    this.entries.set(hash, { hash, genome, fitness, descriptor: [...descriptor], ...(reason ? { reason } : {}) });
    if (this.entries.size > this.limit) this.evict();
  }

  get(hash: string): ArchiveEntry | undefined {
    return this.entries.get(hash);
  }

  pick(policy: ExemplarPolicy, accept: (entry: ArchiveEntry) => boolean = () => true): Exemplars {
    const all = [...this.entries.values()].filter(accept);
    const successes = all.filter((e) => e.fitness !== null).sort((a, b) => b.fitness! - a.fitness!);
    const best = successes.slice(0, policy.best);
    const shown = new Set(best.map((e) => e.hash));
    const byDescriptor = new Map<string, ArchiveEntry>();
    for (const entry of successes) {
      const key = entry.descriptor.join('|');
      if (!shown.has(entry.hash) && !byDescriptor.has(key)) byDescriptor.set(key, entry);
    }
    const diverse = [...byDescriptor.values()].slice(0, policy.diverse);
    const failed = all.filter((e) => e.fitness === null).reverse().slice(0, policy.failed);
    return { best, diverse, failed };
  }

  toJSON(): ArchiveEntry[] {
    return [...this.entries.values()];
  }

  /** Drop the oldest failure, or the worst success when there are no failures left to drop. */
  private evict(): void {
    const values = [...this.entries.values()];
    const victim = values.find((e) => e.fitness === null) ?? values.sort((a, b) => a.fitness! - b.fitness!)[0]!;
    this.entries.delete(victim.hash);
  }
}
