import { bestOrderSql } from './best.ts';

/**
 * The longer SELECTs, aliased to the row schemas' names (rows.ts). Kept apart
 * so store.ts reads as the API and this file as the SQL it runs.
 */

/** Timing columns back as the protocol's Timing object; NULL when the job was never timed. */
const timingObject = `json_object(
    'medianMs', e.median_ms, 'p10Ms', e.p10_ms, 'p90Ms', e.p90_ms, 'samples', e.samples,
    'gflops', e.gflops, 'baselineMedianMs', e.baseline_median_ms,
    'baselineGflops', e.baseline_gflops, 'speedup', e.speedup)`;
const timingJson = `
  CASE WHEN e.median_ms IS NULL THEN NULL
       WHEN e.prepare_ms IS NULL THEN ${timingObject}
       ELSE json_set(${timingObject}, '$.prepareMs', e.prepare_ms) END`;

/** The measured error columns back as the protocol's MeasuredError; NULL for results that carried none. */
const measuredErrorJson = (e: string) => `
  CASE WHEN ${e}.error_of_tolerance IS NULL THEN NULL ELSE json_object(
    'ofTolerance', ${e}.error_of_tolerance, 'maxAbs', ${e}.error_max_abs,
    'maxRel', ${e}.error_max_rel, 'elements', ${e}.error_elements) END`;

export const selectEvaluations = `
  SELECT e.id, e.job_id AS jobId, e.campaign_id AS campaignId, e.problem_key AS problemKey,
    e.problem, e.genome_hash AS genomeHash, g.genome, e.device_class_id AS deviceClassId,
    e.kernel_id AS kernelId, e.status, e.stage, e.reason, ${timingJson} AS timing, ${measuredErrorJson('e')} AS measuredError,
    e.verdicts, e.worker, e.elapsed_ms AS elapsedMs, e.created_at AS createdAt, e.precision,
    e.harness_version AS harnessVersion
  FROM evaluations e JOIN genomes g ON g.hash = e.genome_hash`;

/** The best ok evaluation first (best.ts), else the latest: what a cache hit or an export wants to see. */
export const bestFirst = `ORDER BY e.status = 'ok' DESC, ${bestOrderSql('e')}, e.id DESC LIMIT 1`;

export const selectCampaigns = (where: string) => `
  SELECT c.id, c.name, c.spec, c.strategy, c.status, c.device_class_id AS deviceClassId,
    c.checkpoint, c.created_at AS createdAt, c.updated_at AS updatedAt,
    count(e.id) AS evaluations,
    coalesce(sum(e.status <> 'ok'), 0) AS failures,
    b.speedup AS bestSpeedup, b.gflops AS bestGflops
  FROM campaigns c LEFT JOIN evaluations e ON e.campaign_id = c.id
    -- one best evaluation per campaign, so its speedup and GFLOP/s are of the same kernel
    LEFT JOIN (
      SELECT campaign_id, speedup, gflops,
        row_number() OVER (PARTITION BY campaign_id ORDER BY ${bestOrderSql('x')}, x.id) AS rank
      FROM evaluations x WHERE x.status = 'ok' AND x.speedup IS NOT NULL
    ) b ON b.campaign_id = c.id AND b.rank = 1
  ${where}
  GROUP BY c.id
  ORDER BY c.created_at DESC, c.rowid DESC`;

/** One row per kernel, its best ok evaluation under the filters, best first (best.ts), at a precision the contract allows; NULL filters match all. */
export const selectBest = `
  WITH ranked AS (
    SELECT e.*, g.genome, g.backend,
      row_number() OVER (PARTITION BY e.kernel_id ORDER BY ${bestOrderSql('e')}, e.id) AS rank
    FROM evaluations e JOIN genomes g ON g.hash = e.genome_hash
    WHERE e.problem_key = @problemKey AND e.status = 'ok'
      AND e.kernel_id IS NOT NULL AND e.median_ms IS NOT NULL AND e.device_class_id IS NOT NULL
      AND (@deviceClassId IS NULL OR e.device_class_id = @deviceClassId)
      AND (@backend IS NULL OR g.backend = @backend)
      AND e.precision IN (SELECT value FROM json_each(@precisions))
      AND (@harnessVersion IS NULL OR e.harness_version = @harnessVersion)
      AND (@campaignId IS NULL OR e.genome_hash IN (SELECT genome_hash FROM lineage WHERE campaign_id = @campaignId))
  )
  SELECT r.kernel_id AS kernelId, k.language, r.id AS evaluationId, r.job_id AS jobId,
    r.campaign_id AS campaignId, r.problem, r.genome_hash AS genomeHash, r.genome, r.backend,
    r.device_class_id AS deviceClassId, d.label AS deviceLabel,
    r.median_ms AS medianMs, r.p10_ms AS p10Ms, r.p90_ms AS p90Ms, r.gflops,
    r.baseline_median_ms AS baselineMedianMs, r.speedup, r.precision, r.harness_version AS harnessVersion,
    ${measuredErrorJson('r')} AS measuredError, r.created_at AS createdAt
  FROM ranked r
    JOIN kernels k ON k.id = r.kernel_id
    JOIN devices d ON d.id = r.device_class_id
  WHERE r.rank = 1
  ORDER BY ${bestOrderSql('r')}, r.id
  LIMIT @limit`;
