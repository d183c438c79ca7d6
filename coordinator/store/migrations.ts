import type { Database } from 'better-sqlite3';
import { KevoError } from '../../lib/errors.ts';

/**
 * The schema's history, append-only. `PRAGMA user_version` records the last
 * version applied; open() applies every later one, each in its own transaction,
 * so an old kevo.db upgrades in place and a failed step leaves the previous
 * version intact. Processes that open one file at once apply each step once.
 *
 * To change the schema, append { version: last + 1, name, sql }. Never edit or
 * reorder a migration that has shipped: databases in the field (and the fixture
 * in test/coordinator/store/fixtures/) already ran it.
 *
 * 1 initial schema: campaigns, genomes + lineage, kernels, jobs, evaluations, devices
 * 2 indexes for best() and cached(), which otherwise scan every evaluation
 * 3 LLM cache, prompts, calls, proposals and reviews
 * 4 jobs.published_at: a resumed campaign waits for jobs the transport holds and publishes the others
 * 5 evaluations.error_*: the harness's measured error of a verified kernel (NULL for results from before it)
 * 6 kernels.launch and evaluations.precision: kernel families (export runs what was stored; best keeps the accuracy contract)
 * 7 evaluations.harness_version: the verifier harness that judged each result (NULL: before versions, read as 1)
 * 8 suites and suite_tasks: a task suite's campaigns, one per task; lineage by campaign (a task's best is its campaign's genomes')
 * 9 promotions: kernels re-timed in rounds against the baseline (the promotion gate, portability reports), with intervals
 * 10 tune_runs: `kevo tune` reports, one per model run
 * 11 promotions.fresh_thread: a gate promotion on the finder ran in a thread started for it (0 before)
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE campaigns (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        spec TEXT NOT NULL,
        strategy TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'stopped', 'done', 'failed')),
        -- no foreign key: a spec may name a device class before any worker of it has been seen
        device_class_id TEXT,
        checkpoint TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE genomes (
        hash TEXT PRIMARY KEY,
        backend TEXT NOT NULL,
        genome TEXT NOT NULL,
        created_at TEXT NOT NULL
      );

      CREATE TABLE lineage (
        genome_hash TEXT NOT NULL REFERENCES genomes (hash),
        campaign_id TEXT NOT NULL REFERENCES campaigns (id),
        parents TEXT NOT NULL,
        operator TEXT NOT NULL,
        PRIMARY KEY (genome_hash, campaign_id)
      );

      CREATE TABLE kernels (
        id TEXT PRIMARY KEY,
        language TEXT NOT NULL,
        text TEXT NOT NULL
      );

      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        facts TEXT NOT NULL,
        first_seen TEXT NOT NULL
      );

      CREATE TABLE jobs (
        job_id TEXT PRIMARY KEY,
        campaign_id TEXT NOT NULL REFERENCES campaigns (id),
        genome_hash TEXT NOT NULL,
        problem_key TEXT NOT NULL,
        job TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'done')),
        submitted_at TEXT NOT NULL
      );
      CREATE INDEX jobs_campaign_status ON jobs (campaign_id, status);

      CREATE TABLE evaluations (
        id INTEGER PRIMARY KEY,
        job_id TEXT NOT NULL UNIQUE,
        campaign_id TEXT NOT NULL REFERENCES campaigns (id),
        problem_key TEXT NOT NULL,
        problem TEXT NOT NULL,
        genome_hash TEXT NOT NULL REFERENCES genomes (hash),
        device_class_id TEXT REFERENCES devices (id),
        kernel_id TEXT REFERENCES kernels (id),
        status TEXT NOT NULL,
        stage TEXT,
        reason TEXT,
        median_ms REAL,
        p10_ms REAL,
        p90_ms REAL,
        samples INTEGER,
        gflops REAL,
        baseline_median_ms REAL,
        baseline_gflops REAL,
        speedup REAL,
        verdicts TEXT NOT NULL,
        worker TEXT NOT NULL,
        elapsed_ms REAL NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX evaluations_campaign ON evaluations (campaign_id);
      CREATE INDEX evaluations_kernel ON evaluations (kernel_id);
    `,
  },
  {
    version: 2,
    name: 'best-of and cache indexes',
    sql: `
      CREATE INDEX evaluations_best ON evaluations (problem_key, status, median_ms);
      CREATE INDEX evaluations_cache ON evaluations (genome_hash, problem_key, device_class_id);
    `,
  },
  {
    version: 3,
    name: 'LLM cache, prompts, calls, proposals and reviews',
    sql: `
      -- keyed by sha256(model, request hash): a resumed campaign asking the same question pays nothing
      CREATE TABLE llm_cache (
        key TEXT PRIMARY KEY,
        model TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        response TEXT NOT NULL,
        prompt_tokens INTEGER NOT NULL,
        completion_tokens INTEGER NOT NULL,
        cost REAL NOT NULL,
        created_at TEXT NOT NULL
      );

      -- content-addressed like genomes, so one prompt bred in two campaigns is one row
      CREATE TABLE prompts (
        id TEXT PRIMARY KEY,
        task TEXT NOT NULL,
        parents TEXT NOT NULL,
        operator TEXT NOT NULL,
        generation INTEGER NOT NULL,
        sections TEXT NOT NULL,
        created_at TEXT NOT NULL
      );

      CREATE TABLE prompt_scores (
        prompt_id TEXT NOT NULL REFERENCES prompts (id),
        campaign_id TEXT NOT NULL REFERENCES campaigns (id),
        proposals INTEGER NOT NULL,
        valid INTEGER NOT NULL,
        best_speedup REAL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (prompt_id, campaign_id)
      );

      -- every call, answered or failed, paid or cached: failures are results with a reason
      CREATE TABLE llm_calls (
        id INTEGER PRIMARY KEY,
        campaign_id TEXT NOT NULL REFERENCES campaigns (id),
        purpose TEXT NOT NULL,
        model TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        prompt_id TEXT,
        cached INTEGER NOT NULL,
        ok INTEGER NOT NULL,
        failure TEXT,
        reason TEXT,
        prompt_tokens INTEGER NOT NULL,
        completion_tokens INTEGER NOT NULL,
        cost REAL NOT NULL,
        retries INTEGER NOT NULL,
        ms REAL NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX llm_calls_campaign ON llm_calls (campaign_id);

      -- what each LLM proposal became: a genome (genome_hash) or a failure with its reason
      CREATE TABLE llm_proposals (
        id INTEGER PRIMARY KEY,
        campaign_id TEXT NOT NULL REFERENCES campaigns (id),
        prompt_id TEXT NOT NULL REFERENCES prompts (id),
        task TEXT NOT NULL,
        genome_hash TEXT,
        failure TEXT,
        reason TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX llm_proposals_prompt ON llm_proposals (prompt_id);
      CREATE INDEX llm_proposals_genome ON llm_proposals (campaign_id, genome_hash);

      -- harness_ok stays null until the harness judged the same genome: then agreement can be computed
      CREATE TABLE llm_reviews (
        campaign_id TEXT NOT NULL REFERENCES campaigns (id),
        genome_hash TEXT NOT NULL,
        verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'fail', 'unsure')),
        reasons TEXT NOT NULL,
        suspected_loophole TEXT,
        failure TEXT,
        gate INTEGER NOT NULL,
        harness_ok INTEGER,
        created_at TEXT NOT NULL,
        PRIMARY KEY (campaign_id, genome_hash)
      );
    `,
  },
  {
    version: 4,
    name: 'job publication time',
    // NULL until the transport accepted the job: a coordinator killed between recording
    // and publishing left a job no worker will ever see, which resume must publish.
    sql: `ALTER TABLE jobs ADD COLUMN published_at TEXT;`,
  },
  {
    version: 5,
    name: 'measured error',
    // Columns, not one JSON text, as timing is: best() shows them and may one day filter on them.
    sql: `
      ALTER TABLE evaluations ADD COLUMN error_of_tolerance REAL;
      ALTER TABLE evaluations ADD COLUMN error_max_abs REAL;
      ALTER TABLE evaluations ADD COLUMN error_max_rel REAL;
      ALTER TABLE evaluations ADD COLUMN error_elements INTEGER;
    `,
  },
  {
    version: 6,
    name: 'kernel launch data and compute precision',
    // launch: how to run the stored text (wasm layout, WebGPU dispatch), so export never
    // regenerates a kernel with a later codegen; NULL for kernels stored before it.
    // precision: what the harness held each kernel to, so best() can keep a problem's
    // accuracy contract. Every genome before families was matmul, whose genes say it.
    sql: `
      ALTER TABLE kernels ADD COLUMN launch TEXT;
      ALTER TABLE evaluations ADD COLUMN precision TEXT;
      UPDATE evaluations SET precision = (
        SELECT CASE
          WHEN json_extract(g.genome, '$.precision') = 'f16' THEN 'f16'
          WHEN json_extract(g.genome, '$.fma') = 1 THEN 'f32-fma'
          ELSE 'f32' END
        FROM genomes g WHERE g.hash = evaluations.genome_hash)
      WHERE status = 'ok';
    `,
  },
  {
    version: 7,
    name: 'harness version',
    // Results from before versions were recorded were judged by harness version 1
    // (verifiers/version.ts). The cache and best() filter on it, so the cache index gains it.
    sql: `
      ALTER TABLE evaluations ADD COLUMN harness_version INTEGER NOT NULL DEFAULT 1;
      DROP INDEX evaluations_cache;
      CREATE INDEX evaluations_cache ON evaluations (genome_hash, problem_key, device_class_id, harness_version);
    `,
  },
  {
    version: 8,
    name: 'task suites',
    // A suite's campaigns are created with it, one per task, so resume needs nothing but these rows;
    // its status is read off its campaigns'. A task's best kernel is the best of the genomes its
    // campaign proposed (store hits included), found through lineage by campaign.
    sql: `
      CREATE TABLE suites (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        suite TEXT NOT NULL,
        options TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE suite_tasks (
        suite_id TEXT NOT NULL REFERENCES suites (id),
        position INTEGER NOT NULL,
        category TEXT NOT NULL,
        name TEXT NOT NULL,
        campaign_id TEXT NOT NULL UNIQUE REFERENCES campaigns (id),
        PRIMARY KEY (suite_id, position)
      );
      CREATE INDEX lineage_campaign ON lineage (campaign_id);
    `,
  },
  {
    version: 9,
    name: 'promotions',
    // One row per kernel re-timed by a promote job: the per-round speedups and their bootstrap interval. kind 'gate':
    // a campaign's top kernels before it reports its best; 'portability': the same genomes on every device class.
    sql: `
      CREATE TABLE promotions (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('gate', 'portability')),
        campaign_id TEXT REFERENCES campaigns (id),
        job_id TEXT NOT NULL,
        problem_key TEXT NOT NULL,
        genome_hash TEXT NOT NULL REFERENCES genomes (hash),
        device_class_id TEXT NOT NULL REFERENCES devices (id),
        worker TEXT NOT NULL,
        finder TEXT,
        elsewhere INTEGER NOT NULL,
        status TEXT NOT NULL,
        ratios TEXT NOT NULL,
        speedup REAL,
        ci_low REAL,
        ci_high REAL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX promotions_kernel ON promotions (problem_key, genome_hash, device_class_id, kind);
    `,
  },
  {
    version: 10,
    name: 'tune runs',
    // `kevo tune`: one row per model run, its report (nodes, shares, before/after, measured end to end) as JSON.
    sql: `
      CREATE TABLE tune_runs (
        id TEXT PRIMARY KEY,
        model TEXT NOT NULL,
        model_sha256 TEXT NOT NULL,
        created_at TEXT NOT NULL,
        report TEXT NOT NULL
      );
      CREATE INDEX tune_runs_created ON tune_runs (created_at);
    `,
  },
  {
    version: 11,
    name: 'promotions in a fresh thread',
    // A gate promotion on the finder itself runs in a thread started for it; earlier ones ran on its warm pool (0).
    sql: `ALTER TABLE promotions ADD COLUMN fresh_thread INTEGER NOT NULL DEFAULT 0;`,
  },
  {
    version: 12,
    name: 'load-time pack time',
    // Kernels that pack their weights at load time (a launch's prepare): the pack's milliseconds, apart from the per-call median.
    sql: `ALTER TABLE evaluations ADD COLUMN prepare_ms REAL;`,
  },
];

export const latestVersion = migrations[migrations.length - 1]!.version;

/** Brings the database up to latestVersion; returns the version it found. */
export function migrate(db: Database): number {
  const found = userVersion(db);
  refuseNewer(found);
  if (found === latestVersion) return found;
  // Several processes may open one fresh file at once. Each step takes the write lock first
  // (IMMEDIATE: it waits out busy_timeout) and re-reads the version under it, so a step
  // another process has just applied is skipped rather than applied twice.
  const step = db.transaction(() => {
    const next = migrations.find((m) => m.version === userVersion(db) + 1);
    if (!next) return false;
    db.exec(next.sql);
    // user_version takes no bound parameters; the version is our own integer.
    db.pragma(`user_version = ${next.version}`);
    return true;
  });
  while (step.immediate());
  return found;
}

/** A database from a newer kevo: reading it with this one's schema would misread it. */
export function refuseNewer(found: number): void {
  if (found > latestVersion) {
    throw new KevoError('BAD_INPUT', `database schema version ${found} is newer than this kevo knows (${latestVersion}): upgrade kevo`);
  }
}

export function userVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}
