import { z } from 'zod';
import { KevoError } from '../../lib/errors.ts';
import { jsonColumn, parseRow } from './rows.ts';
import type { Store } from './store.ts';

/** One `kevo tune` run as stored: the model it read and its report (tune/report.ts shapes it). */
export interface TuneRunRow {
  readonly id: string;
  readonly model: string;
  readonly modelSha256: string;
  readonly createdAt: string;
  readonly report: Record<string, unknown>;
}

const Row = z.object({
  id: z.string(),
  model: z.string(),
  modelSha256: z.string(),
  createdAt: z.string(),
  report: jsonColumn(z.record(z.string(), z.unknown())),
});

const COLUMNS = 'id, model, model_sha256 AS modelSha256, created_at AS createdAt, report';

export function recordTuneRun(store: Store, run: TuneRunRow): void {
  store.transaction(() => {
    store.handle
      .prepare('INSERT INTO tune_runs (id, model, model_sha256, created_at, report) VALUES (?, ?, ?, ?, ?)')
      .run(run.id, run.model, run.modelSha256, run.createdAt, JSON.stringify(run.report));
  });
}

/** Every tune run, newest first. */
export function tuneRuns(store: Store): TuneRunRow[] {
  return store.handle
    .prepare(`SELECT ${COLUMNS} FROM tune_runs ORDER BY created_at DESC, id`)
    .all()
    .map((row) => parseRow(Row, row, 'tune_runs'));
}

export function tuneRun(store: Store, id: string): TuneRunRow {
  const row = store.handle.prepare(`SELECT ${COLUMNS} FROM tune_runs WHERE id = ?`).get(id);
  if (!row) throw new KevoError('NOT_FOUND', `no tune run "${id}"`);
  return parseRow(Row, row, 'tune_runs');
}
