import type { Logger } from '../../lib/log.ts';
import { newCampaignId, runCampaign, type Progress } from '../campaign.ts';
import { parseSpec, type CampaignSpec } from '../spec.ts';
import { createSuite, newSuiteId, suiteTasks, type SuiteTaskRow } from '../store/suites.ts';
import type { Store } from '../store/store.ts';
import type { Transport } from '../transport/transport.ts';
import type { PlannedTask } from './plan.ts';
import type { SuiteFile } from './suite-file.ts';

export interface SuiteContext {
  readonly store: Store;
  readonly log: Logger;
  /** Aborting stops the running campaign as `kevo campaign resume` expects; `kevo suite resume` goes on. */
  readonly signal?: AbortSignal;
  /**
   * A transport for one task's campaign, opened as `kevo run` opens it (a
   * NATS transport reads one campaign's results, so each task gets its own).
   */
  openTransport(spec: CampaignSpec, campaignId: string): Promise<Transport>;
  readonly onTask?: (task: SuiteTaskRow, position: number, total: number) => void;
  readonly onProgress?: (progress: Progress) => void;
}

/** Records the suite and a campaign per planned task (nothing runs yet); returns its id. */
export function createSuiteRun(store: Store, suite: SuiteFile, tasks: readonly PlannedTask[], options: unknown, id = newSuiteId()): string {
  createSuite(store, {
    id,
    name: suite.name,
    suite,
    options,
    tasks: tasks.map((t) => ({ category: t.category, name: t.name, campaignId: newCampaignId(), spec: t.spec, strategy: t.spec.strategy })),
  });
  return id;
}

/**
 * Runs (or resumes) every task whose campaign is not done, in suite order,
 * each exactly as `kevo campaign resume` runs a campaign: a task interrupted
 * mid-way goes on from its checkpoint, a finished one is not run again.
 */
export async function runSuite(suiteId: string, ctx: SuiteContext): Promise<'done' | 'stopped'> {
  const tasks = suiteTasks(ctx.store, suiteId);
  for (const [position, task] of tasks.entries()) {
    if (task.status === 'done') continue;
    if (ctx.signal?.aborted) return 'stopped';
    ctx.onTask?.(task, position, tasks.length);
    const spec = parseSpec(task.spec, `campaign ${task.campaignId} spec`);
    const transport = await ctx.openTransport(spec, task.campaignId);
    try {
      const run = await runCampaign(task.campaignId, { store: ctx.store, transport, log: ctx.log.child({ suiteId }), signal: ctx.signal, onProgress: ctx.onProgress });
      if (run.status === 'stopped') return 'stopped';
    } finally {
      await transport.close();
    }
  }
  return 'done';
}
