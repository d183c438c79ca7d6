import { problemKey, type Problem } from '../genome/ops/index.ts';
import type { NodeMapping } from '../onnx/map.ts';

/**
 * The speedup kevo expects to reach on a registered problem before searching
 * it: a prior, not a measurement. The seeds alone beat the unfused baseline
 * by about 2x on mid-size f32 matmuls (BENCHMARKS.md), so every tunable
 * problem starts at 2 and the ranking is by share; a problem kevo cannot tune
 * attains 1.
 */
export const ATTAINABLE_PRIOR = 2;

/** A mapping with the time its nodes take in the peer's profile and their share of the model's. */
export interface Profiled {
  readonly mapping: NodeMapping;
  readonly ms: number;
  readonly share: number;
}

export function profiled(mappings: readonly NodeMapping[], nodeMs: ReadonlyMap<string, number>): Profiled[] {
  const ms = mappings.map((m) => m.nodes.reduce((sum, n) => sum + (nodeMs.get(n) ?? 0), 0));
  const total = ms.reduce((a, b) => a + b, 0) || 1;
  return mappings.map((mapping, i) => ({ mapping, ms: ms[i]!, share: ms[i]! / total }));
}

/** Amdahl: the share of the model's time a speedup s on part of it saves. */
export const saved = (share: number, speedup: number) => share * (1 - 1 / speedup);

/** The model's speedup when parts with these shares run these many times faster. */
export function amdahl(parts: readonly { share: number; speedup: number }[]): number {
  return 1 / (1 - parts.reduce((sum, p) => sum + saved(p.share, p.speedup), 0));
}

export interface Target {
  readonly problem: Problem;
  readonly key: string;
  /** Summed over the nodes that map to it: one campaign serves them all. */
  readonly share: number;
  readonly impact: number;
  readonly evaluations: number;
}

/**
 * The problems worth a campaign, by Amdahl impact (share x (1 - 1/attainable)),
 * with the total budget split in proportion to impact: a problem gets at
 * least one generation or none, so the budget goes to the top ones first.
 */
export function targets(parts: readonly Profiled[], budget: number, population: number): Target[] {
  const byKey = new Map<string, { problem: Problem; share: number }>();
  for (const { mapping, share } of parts) {
    if (!mapping.plan) continue;
    const key = problemKey(mapping.plan.problem);
    byKey.set(key, { problem: mapping.plan.problem, share: (byKey.get(key)?.share ?? 0) + share });
  }
  const ranked = [...byKey].map(([key, { problem, share }]) => ({ key, problem, share, impact: saved(share, ATTAINABLE_PRIOR) })).sort((a, b) => b.impact - a.impact || a.key.localeCompare(b.key));
  const chosen = ranked.slice(0, Math.max(1, Math.floor(budget / population)));
  const impact = chosen.reduce((sum, t) => sum + t.impact, 0) || 1;
  let left = budget;
  return chosen.map((t, i) => {
    const fair = i === chosen.length - 1 ? left : Math.max(population, Math.round((budget * t.impact) / impact));
    const evaluations = Math.max(1, Math.min(fair, left - population * (chosen.length - 1 - i)));
    left -= evaluations;
    return { ...t, evaluations };
  });
}
