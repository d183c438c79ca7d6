import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import { KevoError } from '../../lib/errors.ts';
import { quote } from '../../lib/quote.ts';
import { CampaignStatus, jsonColumn, parseRow } from './rows.ts';
import type { Store } from './store.ts';

/**
 * Task suites in the store: a suite row and one campaign per task, created
 * together; the suite's progress is its campaigns' (see migration 8).
 */

const SuiteRow = z.object({
  id: z.string(),
  name: z.string(),
  /** The suite file as given; coordinator/suite owns its schema. */
  suite: jsonColumn(z.json()),
  /** The run's settings shared by every task (strategy, --budget, LLM...), for reports to say what ran. */
  options: jsonColumn(z.json()),
  createdAt: z.string(),
});
export type SuiteRow = z.output<typeof SuiteRow>;

const SuiteTaskRow = z.object({
  position: z.number().int().nonnegative(),
  category: z.string(),
  name: z.string(),
  campaignId: z.string(),
  status: CampaignStatus,
  spec: jsonColumn(z.json()),
  deviceClassId: z.string().nullable().transform((v) => v ?? undefined),
});
export type SuiteTaskRow = z.output<typeof SuiteTaskRow>;

export function newSuiteId(): string {
  return `s-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/**
 * Records a suite with its tasks' campaigns in one transaction: either the
 * whole suite is there to resume, or nothing was written. The campaigns wait
 * as stopped until the run reaches them.
 */
export function createSuite(
  store: Store,
  s: { id: string; name: string; suite: unknown; options: unknown; tasks: readonly { category: string; name: string; campaignId: string; spec: unknown; strategy: string }[] },
): void {
  store.transaction(() => {
    if (store.handle.prepare('SELECT 1 FROM suites WHERE id = ?').get(s.id)) throw new KevoError('BAD_INPUT', `suite ${quote(s.id)} already exists`);
    store.handle
      .prepare('INSERT INTO suites (id, name, suite, options, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(s.id, s.name, JSON.stringify(s.suite), JSON.stringify(s.options), new Date().toISOString());
    const insert = store.handle.prepare('INSERT INTO suite_tasks (suite_id, position, category, name, campaign_id) VALUES (?, ?, ?, ?, ?)');
    s.tasks.forEach((task, position) => {
      store.createCampaign({ id: task.campaignId, name: `${s.name}/${task.category}/${task.name}`, spec: task.spec, strategy: task.strategy, status: 'stopped' });
      insert.run(s.id, position, task.category, task.name, task.campaignId);
    });
  });
}

/** Newest first. */
export function listSuites(store: Store): SuiteRow[] {
  return store.handle
    .prepare('SELECT id, name, suite, options, created_at AS createdAt FROM suites ORDER BY created_at DESC, rowid DESC')
    .all()
    .map((row) => parseRow(SuiteRow, row, `suites "${(row as { id: unknown }).id}"`));
}

/** A suite by id, or NOT_FOUND. */
export function getSuite(store: Store, id: string): SuiteRow {
  const row = store.handle.prepare('SELECT id, name, suite, options, created_at AS createdAt FROM suites WHERE id = ?').get(id);
  if (row === undefined) throw new KevoError('NOT_FOUND', `no suite ${quote(id)}`);
  return parseRow(SuiteRow, row, `suites "${id}"`);
}

/** The suite's tasks in suite order, each with its campaign's status, spec and device. */
export function suiteTasks(store: Store, suiteId: string): SuiteTaskRow[] {
  return store.handle
    .prepare(
      `SELECT t.position, t.category, t.name, t.campaign_id AS campaignId, c.status, c.spec, c.device_class_id AS deviceClassId
       FROM suite_tasks t JOIN campaigns c ON c.id = t.campaign_id
       WHERE t.suite_id = ? ORDER BY t.position`,
    )
    .all(suiteId)
    .map((row) => parseRow(SuiteTaskRow, row, `suite_tasks of "${suiteId}"`));
}

/** Done when every campaign is; failed when one failed; running while one runs; else stopped (resume goes on). */
export function suiteStatus(tasks: readonly Pick<SuiteTaskRow, 'status'>[]): CampaignStatus {
  if (tasks.every((t) => t.status === 'done')) return 'done';
  if (tasks.some((t) => t.status === 'failed')) return 'failed';
  return tasks.some((t) => t.status === 'running') ? 'running' : 'stopped';
}
