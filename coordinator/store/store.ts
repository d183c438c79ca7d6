import Database from 'better-sqlite3';
import { genomeHash, type Backend, type Genome } from '../../genome/genome.ts';
import { familyOf } from '../../genome/families/registry.ts';
import type { Launch } from '../../genome/families/launch.ts';
import { accuracyOf, precisionsMeeting, problemKey, type Problem } from '../../genome/ops/index.ts';
import { quote } from '../../lib/quote.ts';
import { KevoError } from '../../lib/errors.ts';
import type { DeviceClass } from '../../protocol/device.ts';
import type { KernelJob } from '../../protocol/job.ts';
import type { KernelResult, KernelSource, Status } from '../../protocol/result.ts';
import { HARNESS_VERSION } from '../../verifiers/version.ts';
import { kernelId } from './kernel-id.ts';
import { openForReading, openForWriting } from './open.ts';
import { bestFirst, selectBest, selectCampaigns, selectEvaluations } from './queries.ts';
import {
  BestRow,
  CampaignRow,
  DeviceRow,
  EvaluationRow,
  GenomeRow,
  JobRow,
  KernelSourceRow,
  LineageRow,
  parseRow,
  StaleKernelRow,
  type StaleKernel,
  type CampaignStatus,
} from './rows.ts';

export type { BestRow, CampaignRow, CampaignStatus, EvaluationRow, LineageRow };

/** A kernel's source and the evidence for it: its best ok evaluation (else its latest) and that device. */
export interface KernelRow {
  readonly id: string;
  readonly language: KernelSource['language'];
  readonly text: string;
  /** How to run the text; undefined for kernels stored before launches were kept. */
  readonly launch: Launch | undefined;
  readonly evaluation: EvaluationRow | undefined;
  readonly deviceClass: DeviceClass | undefined;
}

const now = () => new Date().toISOString();

/**
 * kevo's SQLite database, and the only module that speaks SQL. Several campaigns
 * (processes) may write one file: each write transaction takes the lock up front
 * and waits for the others. WAL lets `kevo best` and `kevo serve` read while
 * campaigns write. Every row read back is checked by its schema (rows.ts).
 */
export class Store {
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(private readonly db: Database.Database) {}

  /** Opens (creating if needed) and migrates to the latest schema. */
  static open(path: string): Store {
    return new Store(openForWriting(path));
  }

  /** For commands that only read: an existing kevo database at the latest schema, never written (see open.ts). */
  static openReadOnly(path: string): Store {
    return new Store(openForReading(path));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** The open handle, for the query modules beside this one (llm.ts): SQL stays in coordinator/store. */
  get handle(): Database.Database {
    return this.db;
  }

  /**
   * Runs fn in one transaction (a savepoint when nested); a throw rolls it back.
   * IMMEDIATE: the write lock is taken first, waiting out busy_timeout, because a
   * transaction that reads and then writes cannot wait for a lock that another
   * process's campaign holds: SQLite answers BUSY at once on that upgrade.
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Running unless status says (a suite's campaigns wait as stopped until their turn). */
  createCampaign(c: { id: string; name?: string; spec: unknown; strategy: string; deviceClassId?: string; status?: CampaignStatus }): void {
    if (this.statement('SELECT 1 FROM campaigns WHERE id = ?').get(c.id)) {
      throw new KevoError('BAD_INPUT', `campaign "${c.id}" already exists`);
    }
    const at = now();
    this.statement(
      `INSERT INTO campaigns (id, name, spec, strategy, status, device_class_id, checkpoint, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?)`,
    ).run(c.id, c.name ?? c.id, JSON.stringify(c.spec), c.strategy, c.status ?? 'running', c.deviceClassId ?? null, at, at);
  }

  campaign(id: string): CampaignRow | undefined {
    const row = this.statement(selectCampaigns('WHERE c.id = ?')).get(id);
    return row === undefined ? undefined : parseRow(CampaignRow, row, `campaigns "${id}"`);
  }

  /** Newest first. */
  campaigns(): CampaignRow[] {
    return this.statement(selectCampaigns(''))
      .all()
      .map((row) => parseRow(CampaignRow, row, `campaigns "${(row as { id: unknown }).id}"`));
  }

  /** Fields the patch leaves out keep their value; touches updated_at. */
  updateCampaign(id: string, patch: { status?: CampaignStatus; deviceClassId?: string; checkpoint?: unknown }): void {
    this.requireCampaign(id);
    this.statement(
      `UPDATE campaigns SET
         status = coalesce(@status, status),
         device_class_id = coalesce(@deviceClassId, device_class_id),
         checkpoint = coalesce(@checkpoint, checkpoint),
         updated_at = @at
       WHERE id = @id`,
    ).run({
      id,
      status: patch.status ?? null,
      deviceClassId: patch.deviceClassId ?? null,
      checkpoint: patch.checkpoint === undefined ? null : JSON.stringify(patch.checkpoint),
      at: now(),
    });
  }

  /** Stores the genome once, and how this campaign first made it. Returns its hash. */
  recordGenome(g: { genome: Genome; campaignId: string; parents: readonly string[]; operator: string }): string {
    return this.transaction(() => {
      this.requireCampaign(g.campaignId);
      const hash = this.insertGenome(g.genome);
      this.statement(
        'INSERT OR IGNORE INTO lineage (genome_hash, campaign_id, parents, operator) VALUES (?, ?, ?, ?)',
      ).run(hash, g.campaignId, JSON.stringify(g.parents), g.operator);
      return hash;
    });
  }

  /** How each campaign that proposed this genome first made it. */
  lineage(genomeHashValue: string): LineageRow[] {
    return this.statement(
      'SELECT campaign_id AS campaignId, parents, operator FROM lineage WHERE genome_hash = ? ORDER BY rowid',
    )
      .all(genomeHashValue)
      .map((row) => parseRow(LineageRow, row, `lineage of "${genomeHashValue}"`));
  }

  /** First sighting wins: a device class id is a hash of its facts, so a later record says nothing new. */
  recordDevice(d: DeviceClass): void {
    this.statement('INSERT OR IGNORE INTO devices (id, label, facts, first_seen) VALUES (?, ?, ?, ?)').run(
      d.id,
      d.label,
      JSON.stringify(d.facts),
      now(),
    );
  }

  devices(): DeviceClass[] {
    return this.statement('SELECT id, label, facts FROM devices ORDER BY rowid')
      .all()
      .map((row) => parseRow(DeviceRow, row, `devices "${(row as { id: unknown }).id}"`));
  }

  /** A job submitted and not yet answered: what resume must wait for or resubmit. */
  recordJob(job: KernelJob): void {
    this.requireCampaign(job.campaignId);
    this.statement(
      `INSERT OR IGNORE INTO jobs (job_id, campaign_id, genome_hash, problem_key, job, status, submitted_at)
       VALUES (?, ?, ?, ?, ?, 'pending', ?)`,
    ).run(job.jobId, job.campaignId, genomeHash(job.genome), problemKey(job.problem), JSON.stringify(job), now());
  }

  /** The transport accepted the job: a durable one still holds it after a crash. */
  markPublished(jobId: string): void {
    this.statement('UPDATE jobs SET published_at = ? WHERE job_id = ? AND published_at IS NULL').run(now(), jobId);
  }

  /** Pending jobs a transport accepted (see markPublished), by id. */
  publishedPendingJobIds(campaignId: string): Set<string> {
    const rows = this.statement("SELECT job_id AS jobId FROM jobs WHERE campaign_id = ? AND status = 'pending' AND published_at IS NOT NULL").all(campaignId);
    return new Set(rows.map((row) => (row as { jobId: string }).jobId));
  }

  /** A job this campaign recorded and has no result for yet: the only jobs whose results are accepted. */
  pendingJob(campaignId: string, jobId: string): KernelJob | undefined {
    const row = this.statement("SELECT job_id AS jobId, job FROM jobs WHERE campaign_id = ? AND job_id = ? AND status = 'pending'").get(campaignId, jobId);
    return row === undefined ? undefined : parseRow(JobRow, row, `jobs "${jobId}"`).job;
  }

  /** In submission order. */
  pendingJobs(campaignId: string): KernelJob[] {
    return this.statement("SELECT job_id AS jobId, job FROM jobs WHERE campaign_id = ? AND status = 'pending' ORDER BY rowid")
      .all(campaignId)
      .map((row) => parseRow(JobRow, row, `jobs "${(row as { jobId: unknown }).jobId}"`).job);
  }

  /**
   * Stores a result exactly once per jobId (transports deliver at least once):
   * kernel (deduplicated by source), device, evaluation, and the job marked done,
   * all in one transaction. False, changing nothing, when the jobId is already in.
   * Review results (kind 'review') belong to the LLM tables, not here.
   */
  ingest(result: KernelResult): boolean {
    return this.transaction(() => {
      if (this.statement('SELECT 1 FROM evaluations WHERE job_id = ?').get(result.jobId)) return false;
      this.requireCampaign(result.campaignId);
      const hash = this.insertGenome(result.genome);
      if (result.deviceClass) this.recordDevice(result.deviceClass);
      const kernel = result.kernel ? this.insertKernel(result.kernel) : null;
      const t = result.timing;
      const error = result.measuredError;
      this.statement(
        `INSERT INTO evaluations (job_id, campaign_id, problem_key, problem, genome_hash, device_class_id, kernel_id,
           status, stage, reason, median_ms, p10_ms, p90_ms, samples, gflops, baseline_median_ms, baseline_gflops,
           speedup, error_of_tolerance, error_max_abs, error_max_rel, error_elements, verdicts, worker, elapsed_ms, created_at, precision, harness_version, prepare_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        result.jobId,
        result.campaignId,
        problemKey(result.problem),
        JSON.stringify(result.problem),
        hash,
        result.deviceClass?.id ?? null,
        kernel,
        result.status,
        result.stage ?? null,
        result.reason ?? null,
        t?.medianMs ?? null,
        t?.p10Ms ?? null,
        t?.p90Ms ?? null,
        t?.samples ?? null,
        t?.gflops ?? null,
        t?.baselineMedianMs ?? null,
        t?.baselineGflops ?? null,
        t?.speedup ?? null,
        error?.ofTolerance ?? null,
        error?.maxAbs ?? null,
        error?.maxRel ?? null,
        error?.elements ?? null,
        JSON.stringify(result.verdicts),
        result.worker,
        result.elapsedMs,
        now(),
        // Results from workers before families carry none: the genome's family says it.
        result.precision ?? familyOf(result.problem, result.genome).precision(result.genome),
        // Results from workers before versions were judged by version 1 (verifiers/version.ts).
        result.harnessVersion ?? 1,
        t?.prepareMs ?? null,
      );
      this.statement("UPDATE jobs SET status = 'done' WHERE job_id = ?").run(result.jobId);
      return true;
    });
  }

  /**
   * The store is the cache: any evaluation of this genome on this problem and
   * device class, whatever its campaign, judged by the current harness (an
   * older one may have let through what this one rejects, or the reverse).
   * The best ok one if any, else the latest.
   */
  cached(problem: Problem, genomeHashValue: string, deviceClassId: string): EvaluationRow | undefined {
    const row = this.statement(
      `${selectEvaluations} WHERE e.problem_key = ? AND e.genome_hash = ? AND e.device_class_id = ? AND e.harness_version = ? ${bestFirst}`,
    ).get(problemKey(problem), genomeHashValue, deviceClassId, HARNESS_VERSION);
    return row === undefined ? undefined : this.evaluationRow(row);
  }

  /** In ingest order. */
  evaluations(campaignId: string): EvaluationRow[] {
    return this.evaluationsAfter(campaignId, 0);
  }

  /** The campaign's evaluations stored after the one with id afterId, in ingest order: what a live view has not seen. */
  evaluationsAfter(campaignId: string, afterId: number): EvaluationRow[] {
    return this.statement(`${selectEvaluations} WHERE e.campaign_id = ? AND e.id > ? ORDER BY e.id`)
      .all(campaignId, afterId)
      .map((row) => this.evaluationRow(row));
  }

  /**
   * SQLite's PRAGMA data_version: it changes when another connection commits to
   * the file, so a reader that polls (kevo serve) skips its queries while
   * nothing was written. Commits on this connection leave it as it is.
   */
  dataVersion(): number {
    return Number(this.db.pragma('data_version', { simple: true }));
  }

  /** A stored genome by its hash. */
  genome(hash: string): Genome | undefined {
    const row = this.statement('SELECT genome FROM genomes WHERE hash = ?').get(hash);
    return row === undefined ? undefined : parseRow(GenomeRow, row, `genomes "${hash}"`).genome;
  }

  /**
   * Best first (best.ts), one row per kernel (its best ok evaluation); at most
   * 10 unless limit says. Only kernels whose compute precision keeps the
   * problem's accuracy contract: an f16 kernel is never the answer for f32.
   * With harnessVersion, only evaluations that harness version judged; with
   * campaignId, only genomes that campaign proposed (answered by it or from the store).
   */
  best(problem: Problem, opts: { deviceClassId?: string; backend?: Backend; limit?: number; harnessVersion?: number; campaignId?: string } = {}): BestRow[] {
    return this.statement(selectBest)
      .all({
        problemKey: problemKey(problem),
        precisions: JSON.stringify(precisionsMeeting(accuracyOf(problem))),
        deviceClassId: opts.deviceClassId ?? null,
        backend: opts.backend ?? null,
        limit: opts.limit ?? 10,
        harnessVersion: opts.harnessVersion ?? null,
        campaignId: opts.campaignId ?? null,
      })
      .map((row) => parseRow(BestRow, row, `evaluations ${(row as { evaluationId: unknown }).evaluationId}`));
  }

  /**
   * The kernels to judge again: one row per kernel and problem that has an ok
   * evaluation from an older harness, in the campaign or for the problem when
   * given. Oldest first.
   */
  staleKernels(filter: { campaignId?: string; problem?: Problem } = {}): StaleKernel[] {
    if (filter.campaignId !== undefined) this.requireCampaign(filter.campaignId);
    return this.statement(
      `SELECT e.kernel_id AS kernelId, e.problem, g.genome, min(e.harness_version) AS harnessVersion
       FROM evaluations e JOIN genomes g ON g.hash = e.genome_hash
       WHERE e.status = 'ok' AND e.kernel_id IS NOT NULL AND e.harness_version <> @current
         AND (@campaignId IS NULL OR e.campaign_id = @campaignId)
         AND (@problemKey IS NULL OR e.problem_key = @problemKey)
       GROUP BY e.kernel_id, e.problem_key
       ORDER BY min(e.id)`,
    )
      .all({ current: HARNESS_VERSION, campaignId: filter.campaignId ?? null, problemKey: filter.problem ? problemKey(filter.problem) : null })
      .map((row) => parseRow(StaleKernelRow, row, `evaluations of kernel ${(row as { kernelId: unknown }).kernelId}`));
  }

  /**
   * The current harness judged the kernel again on the problem (the timing was
   * not re-run: the harness's verdict does not change how fast it ran). Its ok
   * evaluations from older harnesses are re-marked in place: passed, they stand
   * under the current version; failed, they take the new status, stage and
   * reason, so neither the cache nor best() answers them again. Returns how many.
   */
  markReverified(kernelIdValue: string, problem: Problem, verdict: { ok: true } | { ok: false; status: Exclude<Status, 'ok'>; stage: string; reason: string }): number {
    const where = "kernel_id = @kernelId AND problem_key = @problemKey AND status = 'ok' AND harness_version <> @current";
    const params = { kernelId: kernelIdValue, problemKey: problemKey(problem), current: HARNESS_VERSION };
    const sql = verdict.ok
      ? `UPDATE evaluations SET harness_version = @current WHERE ${where}`
      : `UPDATE evaluations SET harness_version = @current, status = @status, stage = @stage, reason = @reason WHERE ${where}`;
    return this.statement(sql).run(verdict.ok ? params : { ...params, status: verdict.status, stage: verdict.stage, reason: verdict.reason }).changes;
  }

  kernel(id: string): KernelRow | undefined {
    const row = this.statement('SELECT id, language, text, launch FROM kernels WHERE id = ?').get(id);
    if (row === undefined) return undefined;
    const source = parseRow(KernelSourceRow, row, `kernels "${id}"`);
    const evaluationRow = this.statement(`${selectEvaluations} WHERE e.kernel_id = ? ${bestFirst}`).get(id);
    const evaluation = evaluationRow === undefined ? undefined : this.evaluationRow(evaluationRow);
    const deviceClass = evaluation?.deviceClassId === undefined ? undefined : this.device(evaluation.deviceClassId);
    return { ...source, evaluation, deviceClass };
  }

  /** A device class by id or unique id prefix, so users can type a few characters. */
  resolveDevice(prefix: string): DeviceClass {
    return this.device(this.resolve('devices', 'device class', prefix))!;
  }

  /** A kernel by id or unique id prefix. */
  resolveKernel(prefix: string): KernelRow {
    return this.kernel(this.resolve('kernels', 'kernel', prefix))!;
  }

  private device(id: string): DeviceClass | undefined {
    const row = this.statement('SELECT id, label, facts FROM devices WHERE id = ?').get(id);
    return row === undefined ? undefined : parseRow(DeviceRow, row, `devices "${id}"`);
  }

  private resolve(table: 'devices' | 'kernels', what: string, prefix: string): string {
    if (prefix === '') throw new KevoError('BAD_INPUT', `${what} id: expected at least one character`);
    // A range rather than LIKE: no wildcards to escape, and it uses the primary key.
    const ids = this.statement(`SELECT id FROM ${table} WHERE id >= ? AND id < ? ORDER BY id LIMIT 6`)
      .pluck()
      .all(prefix, `${prefix}\u{10FFFF}`) as string[];
    if (ids.includes(prefix)) return prefix;
    if (ids.length === 0) throw new KevoError('NOT_FOUND', `no ${what} with id ${quote(prefix)}`);
    if (ids.length > 1) {
      throw new KevoError('BAD_INPUT', `${what} id ${quote(prefix)} is ambiguous: matches ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', ...' : ''}`);
    }
    return ids[0]!;
  }

  private evaluationRow(row: unknown): EvaluationRow {
    return parseRow(EvaluationRow, row, `evaluations ${(row as { id: unknown }).id}`);
  }

  private insertGenome(genome: Genome): string {
    const hash = genomeHash(genome);
    this.statement('INSERT OR IGNORE INTO genomes (hash, backend, genome, created_at) VALUES (?, ?, ?, ?)').run(
      hash,
      genome.backend,
      JSON.stringify(genome),
      now(),
    );
    return hash;
  }

  private insertKernel(source: KernelSource): string {
    const id = kernelId(source);
    this.statement('INSERT OR IGNORE INTO kernels (id, language, text, launch) VALUES (?, ?, ?, ?)').run(
      id,
      source.language,
      source.text,
      source.launch ? JSON.stringify(source.launch) : null,
    );
    return id;
  }

  private requireCampaign(id: string): void {
    if (!this.statement('SELECT 1 FROM campaigns WHERE id = ?').get(id)) {
      throw new KevoError('NOT_FOUND', `no campaign with id "${id}"`);
    }
  }

  /** Prepared once per SQL text: better-sqlite3 statements are reusable and preparing is the slow part. */
  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
