/**
 * The longer SELECTs, aliased to the row schemas' names (rows.ts). Kept apart
 * so store.ts reads as the API and this file as the SQL it runs.
 */

/** Timing columns back as the protocol's Timing object; NULL when the job was never timed. */
const timingJson = `
  CASE WHEN e.median_ms IS NULL THEN NULL ELSE json_object(
    'medianMs', e.median_ms, 'p10Ms', e.p10_ms, 'p90Ms', e.p90_ms, 'samples', e.samples,
    'gflops', e.gflops, 'baselineMedianMs', e.baseline_median_ms,
    'baselineGflops', e.baseline_gflops, 'speedup', e.speedup) END`;

export const selectEvaluations = `
  SELECT e.id, e.job_id AS jobId, e.campaign_id AS campaignId, e.problem_key AS problemKey,
    e.problem, e.genome_hash AS genomeHash, g.genome, e.device_class_id AS deviceClassId,
    e.kernel_id AS kernelId, e.status, e.stage, e.reason, ${timingJson} AS timing,
    e.verdicts, e.worker, e.elapsed_ms AS elapsedMs, e.created_at AS createdAt, e.precision
  FROM evaluations e JOIN genomes g ON g.hash = e.genome_hash`;

/** The best ok evaluation first, else the latest: what a cache hit or an export wants to see. */
export const bestFirst = `ORDER BY e.status = 'ok' DESC, e.median_ms, e.id DESC LIMIT 1`;

export const selectCampaigns = (where: string) => `
  SELECT c.id, c.name, c.spec, c.strategy, c.status, c.device_class_id AS deviceClassId,
    c.checkpoint, c.created_at AS createdAt, c.updated_at AS updatedAt,
    count(e.id) AS evaluations,
    coalesce(sum(e.status <> 'ok'), 0) AS failures,
    max(CASE WHEN e.status = 'ok' THEN e.speedup END) AS bestSpeedup,
    max(CASE WHEN e.status = 'ok' THEN e.gflops END) AS bestGflops
  FROM campaigns c LEFT JOIN evaluations e ON e.campaign_id = c.id
  ${where}
  GROUP BY c.id
  ORDER BY c.created_at DESC, c.rowid DESC`;

/** One row per kernel, its fastest ok evaluation under the filters (NULL filters match all) at a precision the contract allows. */
export const selectBest = `
  WITH ranked AS (
    SELECT e.*, g.genome, g.backend,
      row_number() OVER (PARTITION BY e.kernel_id ORDER BY e.median_ms, e.id) AS rank
    FROM evaluations e JOIN genomes g ON g.hash = e.genome_hash
    WHERE e.problem_key = @problemKey AND e.status = 'ok'
      AND e.kernel_id IS NOT NULL AND e.median_ms IS NOT NULL AND e.device_class_id IS NOT NULL
      AND (@deviceClassId IS NULL OR e.device_class_id = @deviceClassId)
      AND (@backend IS NULL OR g.backend = @backend)
      AND e.precision IN (SELECT value FROM json_each(@precisions))
  )
  SELECT r.kernel_id AS kernelId, k.language, r.id AS evaluationId, r.job_id AS jobId,
    r.campaign_id AS campaignId, r.problem, r.genome_hash AS genomeHash, r.genome, r.backend,
    r.device_class_id AS deviceClassId, d.label AS deviceLabel,
    r.median_ms AS medianMs, r.p10_ms AS p10Ms, r.p90_ms AS p90Ms, r.gflops,
    r.baseline_median_ms AS baselineMedianMs, r.speedup, r.precision, r.created_at AS createdAt
  FROM ranked r
    JOIN kernels k ON k.id = r.kernel_id
    JOIN devices d ON d.id = r.device_class_id
  WHERE r.rank = 1
  ORDER BY r.median_ms, r.id
  LIMIT @limit`;
