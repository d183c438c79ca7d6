import type { Timing } from '../../protocol/result.ts';

/**
 * What "best" means, everywhere (campaign progress, `kevo best`, `campaign
 * list|show`, serve): the highest verified speedup, the baseline's median over
 * the candidate's, both timed side by side in one job. That is the search's
 * fitness, and unlike GFLOP/s or milliseconds it compares kernels timed on
 * different machines or under different load. Ties go to the higher GFLOP/s,
 * then the lower median.
 */
export function compareBest(a: Timing, b: Timing): number {
  return b.speedup - a.speedup || b.gflops - a.gflops || a.medianMs - b.medianMs;
}

/** The same order in SQL over an evaluations table alias (timing columns NULL for unverified rows). */
export function bestOrderSql(alias: string): string {
  return `${alias}.speedup DESC, ${alias}.gflops DESC, ${alias}.median_ms`;
}

/** The verified items (those with a timing), best first. */
export function sortBest<T extends { readonly timing?: Timing | undefined }>(items: readonly T[]): (T & { readonly timing: Timing })[] {
  return items.filter((item): item is T & { timing: Timing } => item.timing !== undefined).sort((a, b) => compareBest(a.timing, b.timing));
}
