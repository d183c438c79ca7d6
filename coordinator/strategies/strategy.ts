import type { Genome } from '../../genome/genome.ts';

/** A genome with the fitness it earned: speedup over the baseline, or null when it failed. */
export interface Scored<G = Genome> {
  readonly genome: G;
  readonly fitness: number | null;
  /** Why it failed (stage and reason), for strategies that learn from failures, such as an LLM shown failed exemplars. */
  readonly reason?: string;
}

/** A proposal with its lineage, so the store can record how each genome was made. */
export interface Proposal<G = Genome> {
  readonly genome: G;
  readonly parents: readonly string[];
  /** e.g. "sample", "mutate", "crossover", "llm-edit", "llm-source". */
  readonly operator: string;
}

/** Plain JSON a strategy can be rebuilt from (population, archive, rng state...). */
export type StrategyState = Record<string, unknown>;

/**
 * Search as ask/tell (as in Optuna's samplers): a strategy proposes genomes and
 * learns from scores. It knows nothing of stores, transports or devices, so any
 * strategy runs over any transport, and a checkpoint is just its state.
 */
export interface Strategy<G = Genome> {
  readonly name: string;
  /** Up to n proposals; fewer (none at the end) once the space has nothing unseen left to give. */
  ask(n: number): Promise<Proposal<G>[]>;
  tell(results: readonly Scored<G>[]): void;
  state(): StrategyState;
}

/**
 * A strategy that keeps a population or archive of scored genomes and lets a
 * wrapper read it (e.g. an LLM operator that shows the current elites in its
 * prompt). Read-only: a wrapper steers only through ask and tell.
 */
export interface ArchiveStrategy<G = Genome> extends Strategy<G> {
  /** The genomes the strategy currently keeps, best first. */
  archive(): readonly Scored<G>[];
}
