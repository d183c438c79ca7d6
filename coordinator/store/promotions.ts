import { z } from 'zod';
import { problemKey, type Problem } from '../../genome/ops/index.ts';
import type { DeviceClass } from '../../protocol/device.ts';
import { jsonColumn, optional, parseRow } from './rows.ts';
import type { Store } from './store.ts';
import { withPromotions } from '../promotion.ts';

/** What a promote job said about one kernel on one device class. */
export interface PromotionRecord {
  readonly kind: 'gate' | 'portability';
  readonly campaignId?: string;
  readonly jobId: string;
  readonly problem: Problem;
  readonly genomeHash: string;
  readonly deviceClass: DeviceClass;
  readonly worker: string;
  /** The worker whose result made it a candidate (gate only). */
  readonly finder?: string;
  /** Re-timed on another worker than the finder. */
  readonly elsewhere: boolean;
  /** Re-timed on a thread (or GPU process) started for the promote job, not the worker's warm one. */
  readonly freshThread?: boolean;
  /** Its first round's status: ok, or why it did not verify there. */
  readonly status: string;
  /** Baseline median over the kernel's median, per round it was timed in. */
  readonly ratios: readonly number[];
  /** Median of the ratios and its bootstrap 95% interval; absent with fewer than two rounds timed. */
  readonly interval?: { readonly estimate: number; readonly low: number; readonly high: number };
}

const PromotionRow = z
  .object({
    kind: z.enum(['gate', 'portability']),
    campaignId: optional(z.string()),
    jobId: z.string(),
    genomeHash: z.string(),
    deviceClassId: z.string(),
    deviceLabel: z.string(),
    worker: z.string(),
    finder: optional(z.string()),
    elsewhere: z.number().transform((n) => n === 1),
    freshThread: z.number().transform((n) => n === 1),
    status: z.string(),
    ratios: jsonColumn(z.array(z.number())),
    speedup: optional(z.number()),
    low: optional(z.number()),
    high: optional(z.number()),
    createdAt: z.string(),
  })
  .transform(({ speedup, low, high, deviceClassId, deviceLabel, ...rest }) => ({
    ...rest,
    deviceClass: { id: deviceClassId, label: deviceLabel },
    interval: speedup !== undefined && low !== undefined && high !== undefined ? { estimate: speedup, low, high } : undefined,
  }));
export type PromotionRow = z.output<typeof PromotionRow>;

const selectPromotions = `
  SELECT p.kind, p.campaign_id AS campaignId, p.job_id AS jobId, p.genome_hash AS genomeHash, p.device_class_id AS deviceClassId,
         d.label AS deviceLabel, p.worker, p.finder, p.elsewhere, p.fresh_thread AS freshThread, p.status, p.ratios, p.speedup, p.ci_low AS low, p.ci_high AS high,
         p.created_at AS createdAt
  FROM promotions p JOIN devices d ON d.id = p.device_class_id`;

/** The promotions table of migration 9 (fresh_thread from 11), on the Store's handle. */
export class PromotionStore {
  constructor(private readonly store: Store) {}

  private get db() {
    return this.store.handle;
  }

  record(records: readonly PromotionRecord[]): void {
    const insert = this.db.prepare(
      `INSERT INTO promotions (kind, campaign_id, job_id, problem_key, genome_hash, device_class_id, worker, finder, elsewhere, fresh_thread, status, ratios, speedup, ci_low, ci_high, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.store.transaction(() => {
      for (const r of records) {
        this.store.recordDevice(r.deviceClass);
        insert.run(
          r.kind,
          r.campaignId ?? null,
          r.jobId,
          problemKey(r.problem),
          r.genomeHash,
          r.deviceClass.id,
          r.worker,
          r.finder ?? null,
          r.elsewhere ? 1 : 0,
          r.freshThread ? 1 : 0,
          r.status,
          JSON.stringify(r.ratios),
          r.interval?.estimate ?? null,
          r.interval?.low ?? null,
          r.interval?.high ?? null,
          new Date().toISOString(),
        );
      }
    });
  }

  /** A kernel's latest gate promotion on a device class, if it had one. */
  latestGate(problem: Problem, genomeHash: string, deviceClassId: string): PromotionRow | undefined {
    const row = this.db
      .prepare(`${selectPromotions} WHERE p.kind = 'gate' AND p.problem_key = ? AND p.genome_hash = ? AND p.device_class_id = ? ORDER BY p.id DESC LIMIT 1`)
      .get(problemKey(problem), genomeHash, deviceClassId);
    return row === undefined ? undefined : parseRow(PromotionRow, row, `promotions of ${genomeHash}`);
  }

  /** Every promotion of one kind for a problem, oldest first: a portability report reads the latest per kernel and class. */
  forProblem(problem: Problem, kind: 'gate' | 'portability'): PromotionRow[] {
    return this.db
      .prepare(`${selectPromotions} WHERE p.kind = ? AND p.problem_key = ? ORDER BY p.id`)
      .all(kind, problemKey(problem))
      .map((row) => parseRow(PromotionRow, row, `promotions of ${problemKey(problem)}`));
  }

  /** The worker that produced an evaluation (a pool thread's "#n" suffix dropped): the finder of a ranked kernel. */
  finder(evaluationId: number): string | undefined {
    const worker = this.db.prepare('SELECT worker FROM evaluations WHERE id = ?').pluck().get(evaluationId) as string | undefined;
    return worker?.replace(/#\d+$/, '');
  }
}

/** Ranked kernels with their latest gate promotion on their own device class, ties marked (coordinator/promotion.ts). */
export function promotedRanking<R extends { problem: Problem; genomeHash: string; deviceClass: { id: string } }>(store: Store, rows: readonly R[]) {
  const promotions = new PromotionStore(store);
  return withPromotions(rows, (row) => promotions.latestGate(row.problem, row.genomeHash, row.deviceClass.id));
}
