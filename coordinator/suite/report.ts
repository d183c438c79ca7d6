import { HARNESS_VERSION } from '../../verifiers/version.ts';
import { parseSpec, resolveProblem } from '../spec.ts';
import type { Store } from '../store/store.ts';
import { getSuite, suiteStatus, suiteTasks } from '../store/suites.ts';
import type { CampaignStatus } from '../store/rows.ts';

/** The speedup thresholds p of fast_p. */
export const FAST_P = [1, 1.5, 2, 4] as const;

/** One task: its campaign's best verified kernel (coordinator/store/best.ts), if it found one. */
export interface TaskOutcome {
  readonly category: string;
  readonly name: string;
  readonly campaignId: string;
  readonly status: CampaignStatus;
  readonly backend: string;
  readonly best: { readonly kernelId: string; readonly speedup: number; readonly gflops: number; readonly medianMs: number } | undefined;
}

export interface CategoryReport {
  readonly category: string;
  readonly tasks: number;
  /** Tasks with a verified kernel. */
  readonly correct: number;
  readonly correctness: number;
  /** fast_p per threshold ("1", "1.5", ...): the share of all tasks whose best verified kernel is more than p times the baseline. */
  readonly fastP: Readonly<Record<string, number>>;
  /** Geometric mean of the correct tasks' best speedups; null when none is correct. */
  readonly geomeanSpeedup: number | null;
}

export interface SuiteReport {
  readonly id: string;
  readonly name: string;
  readonly status: CampaignStatus;
  readonly createdAt: string;
  readonly options: unknown;
  readonly categories: readonly CategoryReport[];
  readonly overall: CategoryReport;
  readonly tasks: readonly TaskOutcome[];
}

/**
 * KernelBench's metrics (Ouyang et al., "KernelBench: Can LLMs Write
 * Efficient GPU Kernels?", 2025) over a set of tasks: fast_p is the share of
 * tasks that are correct and more than p times faster than the baseline,
 * over all tasks, so a task with no verified kernel counts against every
 * fast_p and the correctness rate (incorrect, never missing). The geometric
 * mean speedup is over the correct tasks only: an incorrect task has no
 * speedup to average, and counting it as 1x or 0x would mix correctness into
 * a speed figure the correctness rate already reports.
 */
export function summarize(category: string, tasks: readonly TaskOutcome[]): CategoryReport {
  const speedups = tasks.flatMap((t) => (t.best ? [t.best.speedup] : []));
  const share = (n: number) => (tasks.length === 0 ? 0 : n / tasks.length);
  return {
    category,
    tasks: tasks.length,
    correct: speedups.length,
    correctness: share(speedups.length),
    fastP: Object.fromEntries(FAST_P.map((p) => [String(p), share(speedups.filter((s) => s > p).length)])),
    geomeanSpeedup: speedups.length === 0 ? null : Math.exp(speedups.reduce((sum, s) => sum + Math.log(s), 0) / speedups.length),
  };
}

/** Per category in suite order, and over all tasks. */
export function reportOf(meta: Omit<SuiteReport, 'categories' | 'overall' | 'tasks'>, tasks: readonly TaskOutcome[]): SuiteReport {
  const categories = [...new Set(tasks.map((t) => t.category))];
  return {
    ...meta,
    categories: categories.map((c) => summarize(c, tasks.filter((t) => t.category === c))),
    overall: summarize('all', tasks),
    tasks,
  };
}

/**
 * A suite's report from the store. Each task's best is `Store.best` over the
 * genomes its campaign proposed, on its campaign's device class, judged by
 * the current harness, keeping the problem's accuracy contract.
 */
export function suiteReport(store: Store, suiteId: string): SuiteReport {
  const suite = getSuite(store, suiteId);
  const rows = suiteTasks(store, suiteId);
  const tasks = rows.map((row): TaskOutcome => {
    const spec = parseSpec(row.spec, `campaign ${row.campaignId} spec`);
    const best = row.deviceClassId
      ? store.best(resolveProblem(spec.problems[0]!), { campaignId: row.campaignId, deviceClassId: row.deviceClassId, harnessVersion: HARNESS_VERSION, limit: 1 })[0]
      : undefined;
    return {
      category: row.category,
      name: row.name,
      campaignId: row.campaignId,
      status: row.status,
      backend: spec.backend,
      best: best && { kernelId: best.kernelId, speedup: best.speedup, gflops: best.gflops, medianMs: best.medianMs },
    };
  });
  return reportOf({ id: suite.id, name: suite.name, status: suiteStatus(rows), createdAt: suite.createdAt, options: suite.options }, tasks);
}

export interface CategoryComparison {
  readonly category: string;
  readonly a: CategoryReport | undefined;
  readonly b: CategoryReport | undefined;
  /** b minus a, for the rates; b over a for the geometric mean. Absent when either side lacks the category. */
  readonly delta: { readonly correctness: number; readonly fastP: Readonly<Record<string, number>>; readonly geomeanRatio: number | null } | undefined;
}

/** Two reports side by side, per category (a's order, then b's own), and over all tasks. */
export function compareReports(a: SuiteReport, b: SuiteReport): { a: { id: string; name: string }; b: { id: string; name: string }; categories: CategoryComparison[]; overall: CategoryComparison } {
  const names = [...new Set([...a.categories, ...b.categories].map((c) => c.category))];
  const pair = (category: string, x: CategoryReport | undefined, y: CategoryReport | undefined): CategoryComparison => ({
    category,
    a: x,
    b: y,
    delta:
      x && y
        ? {
            correctness: y.correctness - x.correctness,
            fastP: Object.fromEntries(FAST_P.map((p) => [String(p), y.fastP[String(p)]! - x.fastP[String(p)]!])),
            geomeanRatio: x.geomeanSpeedup === null || y.geomeanSpeedup === null ? null : y.geomeanSpeedup / x.geomeanSpeedup,
          }
        : undefined,
  });
  const find = (r: SuiteReport, c: string) => r.categories.find((x) => x.category === c);
  return {
    a: { id: a.id, name: a.name },
    b: { id: b.id, name: b.name },
    categories: names.map((c) => pair(c, find(a, c), find(b, c))),
    overall: pair('all', a.overall, b.overall),
  };
}
