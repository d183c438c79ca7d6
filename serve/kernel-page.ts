import type { Genome } from '../genome/genome.ts';
import { LlmStore, type ReviewRow } from '../coordinator/store/llm.ts';
import type { KernelRow, Store } from '../coordinator/store/store.ts';

/** One genome on a kernel's way back to its seeds, and the operator that made it from its parents. */
export interface LineageStep {
  readonly hash: string;
  readonly genome: Genome | undefined;
  /** As its campaign recorded it (sample, seed, mutate, crossover, an LLM's); undefined when none did. */
  readonly operator: string | undefined;
  readonly parents: readonly string[];
}

/** Everything a kernel's page shows: source, best evaluation and device, lineage tree, LLM reviews. */
export interface KernelPage extends KernelRow {
  readonly lineage: readonly LineageStep[];
  readonly reviews: readonly ReviewRow[];
}

/** A bound on the walk: a lineage is acyclic, but a hand-edited store need not be, and a page must stay readable. */
const MAX_STEPS = 200;

export function kernelPage(store: Store, id: string): KernelPage {
  const kernel = store.resolveKernel(id);
  const hash = kernel.evaluation?.genomeHash;
  return {
    ...kernel,
    lineage: hash === undefined ? [] : lineage(store, hash, kernel.evaluation?.campaignId),
    reviews: hash === undefined ? [] : new LlmStore(store).reviews(hash),
  };
}

/**
 * The genome and its ancestors up to the seeds, each once, breadth first. Where
 * several campaigns proposed a genome, the kernel's own campaign's record tells
 * how it was made, else the first campaign's.
 */
export function lineage(store: Store, hash: string, campaignId: string | undefined): LineageStep[] {
  const steps: LineageStep[] = [];
  const seen = new Set([hash]);
  const queue = [hash];
  while (queue.length > 0 && steps.length < MAX_STEPS) {
    const current = queue.shift()!;
    const records = store.lineage(current);
    const record = records.find((r) => r.campaignId === campaignId) ?? records[0];
    const parents = record?.parents ?? [];
    steps.push({ hash: current, genome: store.genome(current), operator: record?.operator, parents });
    for (const parent of parents) {
      if (!seen.has(parent)) {
        seen.add(parent);
        queue.push(parent);
      }
    }
  }
  return steps;
}
