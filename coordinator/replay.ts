import type { Genome } from '../genome/genome.ts';
import type { SearchSpace } from '../genome/space.ts';
import { KevoError } from '../lib/errors.ts';
import { median } from '../lib/stats.ts';
import type { EvaluationRow } from './store/rows.ts';
import { createStrategy, type StrategyName } from './strategies/index.ts';
import { hashOf } from './strategies/seen.ts';

/**
 * Replay (Kernel Tuner's simulation mode): a strategy searches against the
 * timings a campaign stored, and nothing runs. Strategies are pure ask/tell,
 * so a replay proposes exactly what a live campaign would have given the same
 * scores; every strategy sees the same timings, so their curves compare.
 */

/** What a campaign measured: each genome's speedup, null when every evaluation of it failed. */
export interface FitnessTable<G = Genome> {
  readonly genomes: readonly G[];
  readonly fitness: ReadonlyMap<string, number | null>;
}

/** Why a proposal outside the table scores as a failure, as the strategy is told. */
export const UNSEEN = 'not in the stored table';

/** Mutations tried per mutate before a child off the table is let through (to score as a miss). */
const MUTATE_TRIES = 16;

/** The table of one problem's evaluations on one device class: each genome's best ok speedup. */
export function tableOf(rows: readonly EvaluationRow[]): FitnessTable {
  const genomes = new Map<string, Genome>();
  const fitness = new Map<string, number | null>();
  for (const row of rows) {
    genomes.set(row.genomeHash, row.genome);
    const speedup = row.status === 'ok' && row.timing ? row.timing.speedup : null;
    const before = fitness.get(row.genomeHash) ?? null;
    fitness.set(row.genomeHash, speedup === null ? before : Math.max(speedup, before ?? 0));
  }
  return { genomes: [...genomes.values()], fitness };
}

export function bestOf(table: FitnessTable<unknown>): number {
  return Math.max(0, ...[...table.fitness.values()].filter((f): f is number => f !== null));
}

/**
 * The campaign's space with the table as its domain, as a sweep's grid is:
 * samples are drawn from the table and a mutation is steered onto it (the
 * space's own operator, retried), so a strategy searches what was measured.
 * Seeds and crossover children come from the full space unchanged; those off
 * the table score as misses, as a genome the sweep never timed would.
 */
export function tableSpace<G>(full: SearchSpace<G>, table: FitnessTable<G>): SearchSpace<G> {
  const onTable = (g: G) => table.fitness.has(hashOf(g));
  // Only the space's own genomes: a source an LLM wrote scores where proposed, but no operator of the space can move it.
  const domain = table.genomes.filter((g) => full.check(g) === null);
  if (domain.length === 0) throw new KevoError('NOT_FOUND', `no stored genome belongs to the space ${full.name}: nothing to replay`);
  return {
    ...full,
    name: `${full.name} (stored table)`,
    sample: (rng) => rng.pick(domain),
    mutate(g, rng) {
      let child = full.mutate(g, rng);
      for (let i = 1; i < MUTATE_TRIES && !(onTable(child) && hashOf(child) !== hashOf(g)); i++) child = full.mutate(g, rng);
      return child;
    },
    enumerate: () => domain,
  };
}

export interface ReplayOptions {
  readonly seed: number;
  /** Evaluations, misses included. */
  readonly budget: number;
  readonly population: number;
}

/**
 * Best fitness found after each evaluation (0 before the first success),
 * asking `population` genomes a generation as a campaign does. An unseen
 * genome is a failed evaluation: it uses budget and the strategy is told so.
 * Shorter than the budget only when the strategy has nothing left to propose.
 */
export async function replay<G>(name: StrategyName, space: SearchSpace<G>, table: FitnessTable<G>, opts: ReplayOptions): Promise<number[]> {
  const strategy = createStrategy(name, space, { seed: opts.seed, population: opts.population });
  const trace: number[] = [];
  let best = 0;
  while (trace.length < opts.budget) {
    const proposals = await strategy.ask(Math.min(opts.population, opts.budget - trace.length));
    if (proposals.length === 0) break;
    const scored = proposals.map(({ genome }) => {
      const hash = hashOf(genome);
      const fitness = table.fitness.get(hash) ?? null;
      best = Math.max(best, fitness ?? 0);
      trace.push(best);
      return table.fitness.has(hash) ? { genome, fitness } : { genome, fitness: null, reason: UNSEEN };
    });
    strategy.tell(scored);
  }
  return trace;
}

/** Evaluations until the trace reaches `fraction` of `top` (1-based), or null if it never does. */
export function evaluationsToReach(trace: readonly number[], top: number, fraction: number): number | null {
  const i = trace.findIndex((f) => f >= fraction * top);
  return i < 0 ? null : i + 1;
}

/** The best found by `evaluations` (the end of a trace that stopped short), as a fraction of `top`. */
export function fractionAt(trace: readonly number[], evaluations: number, top: number): number {
  const found = trace[Math.min(evaluations, trace.length) - 1] ?? 0;
  return top > 0 ? found / top : 0;
}

/** Medians over seeds of one strategy's traces: the fraction of `top` found by each budget, and evaluations to `within` of it. */
export interface ReplaySummary {
  readonly fractions: readonly { readonly evaluations: number; readonly median: number }[];
  /** null when the median seed never got there. */
  readonly evaluationsToReach: number | null;
}

export function summarizeTraces(traces: readonly (readonly number[])[], top: number, budgets: readonly number[], within: number): ReplaySummary {
  const reach = median(traces.map((t) => evaluationsToReach(t, top, within) ?? Infinity));
  return {
    fractions: budgets.map((evaluations) => ({ evaluations, median: median(traces.map((t) => fractionAt(t, evaluations, top))) })),
    evaluationsToReach: Number.isFinite(reach) ? reach : null,
  };
}
