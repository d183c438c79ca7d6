import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../../coordinator/store/store.ts';
import { listSuites, suiteTasks } from '../../coordinator/store/suites.ts';

const matmul = (m: number, n: number, k: number, extra: Record<string, unknown> = {}) => ({ problem: { op: 'matmul', shape: { m, n, k }, ...extra }, budget: { evaluations: 4 } });

/** A suite that runs in seconds: two categories of tiny matmuls, four candidates each. */
export const tinySuite = {
  version: 1,
  name: 'tiny',
  categories: [
    { name: 'square', tasks: [matmul(16, 16, 16)] },
    { name: 'fused', tasks: [matmul(16, 24, 8, { epilogue: ['bias', 'relu'] })] },
  ],
};

/** The flags that keep a tiny suite's campaigns small and quick. */
// No promotion gate: its rounds are test/cli/promotion.test.ts's, and would re-time every task's best kernels here.
export const quickFlags = ['--population', '2', '--threads', '2', '--timing-ms', '30', '--promote', '0'];

/** Writes `value` (JSON unless a string) to dir/name; returns the path. */
export function writeFile(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

/** Resolves with the newest suite's id once its task at `position` has ingested at least `n` evaluations (a second connection: WAL). */
export async function taskEvaluationsReach(db: string, position: number, n: number): Promise<string> {
  for (;;) {
    try {
      const store = Store.openReadOnly(db);
      try {
        const suite = listSuites(store)[0];
        const task = suite && suiteTasks(store, suite.id)[position];
        if (suite && task && store.campaign(task.campaignId)!.evaluations >= n) return suite.id;
      } finally {
        store.close();
      }
    } catch {
      // the suite process may not have created or migrated the file yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
