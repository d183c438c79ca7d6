import { z } from 'zod';
import { Backend, Genome } from '../../genome/genome.ts';
import { Problem } from '../../genome/ops/problem.ts';
import { DeviceFacts } from '../../protocol/device.ts';
import { KernelJob } from '../../protocol/job.ts';
import { KernelResult, KernelSource, MeasuredError, StageVerdict, Status, Timing } from '../../protocol/result.ts';
import { Launch } from '../../genome/families/launch.ts';
import { describeZodError, KevoError } from '../../lib/errors.ts';

/**
 * What the store hands back, and the schemas that check every row on its way
 * out: a hand-edited or half-migrated database fails loudly here, naming the
 * row, instead of deep inside a strategy. Queries alias columns to these
 * camelCase names.
 */

/** A JSON text column, parsed, then checked against its schema. */
export function jsonColumn<S extends z.ZodType>(schema: S) {
  return z
    .string()
    .transform((text, ctx): unknown => {
      try {
        return JSON.parse(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

/** SQL NULL reads back as undefined, like the protocol's optional fields. */
export function optional<S extends z.ZodType>(schema: S) {
  return schema.nullable().transform((value) => value ?? undefined);
}

export const CampaignStatus = z.enum(['running', 'stopped', 'done', 'failed']);
export type CampaignStatus = z.infer<typeof CampaignStatus>;

export const CampaignRow = z.object({
  id: z.string(),
  name: z.string(),
  /** The campaign spec as given; the coordinator owns its schema. */
  spec: jsonColumn(z.json()),
  strategy: z.string(),
  status: CampaignStatus,
  deviceClassId: optional(z.string()),
  /** The strategy's last state(), for resume. */
  checkpoint: optional(jsonColumn(z.json())),
  createdAt: z.string(),
  updatedAt: z.string(),
  evaluations: z.number().int().nonnegative(),
  /** Evaluations whose status is not ok. */
  failures: z.number().int().nonnegative(),
  bestSpeedup: optional(z.number()),
  bestGflops: optional(z.number()),
});
export type CampaignRow = z.output<typeof CampaignRow>;

export const EvaluationRow = z.object({
  id: z.number().int(),
  jobId: z.string(),
  campaignId: z.string(),
  problemKey: z.string(),
  problem: jsonColumn(Problem),
  genomeHash: z.string(),
  genome: jsonColumn(Genome),
  deviceClassId: optional(z.string()),
  kernelId: optional(z.string()),
  status: Status,
  stage: optional(z.string()),
  reason: optional(z.string()),
  timing: optional(jsonColumn(Timing)),
  measuredError: optional(jsonColumn(MeasuredError)),
  verdicts: jsonColumn(z.array(StageVerdict)),
  worker: z.string(),
  elapsedMs: z.number().nonnegative(),
  createdAt: z.string(),
  precision: optional(KernelResult.shape.precision.unwrap()),
  /** The verifier harness version that judged it (verifiers/version.ts). */
  harnessVersion: z.number().int().positive(),
});
export type EvaluationRow = z.output<typeof EvaluationRow>;

/** One kernel's best ok evaluation for a problem: what `kevo best` lists. */
export const BestRow = z
  .object({
    kernelId: z.string(),
    language: KernelSource.shape.language,
    evaluationId: z.number().int(),
    jobId: z.string(),
    campaignId: z.string(),
    problem: jsonColumn(Problem),
    genomeHash: z.string(),
    genome: jsonColumn(Genome),
    backend: Backend,
    deviceClassId: z.string(),
    deviceLabel: z.string(),
    medianMs: z.number().positive(),
    p10Ms: z.number().positive(),
    p90Ms: z.number().positive(),
    gflops: z.number().nonnegative(),
    baselineMedianMs: z.number().positive(),
    speedup: z.number().positive(),
    /** The compute precision it was verified at. */
    precision: KernelResult.shape.precision.unwrap(),
    harnessVersion: z.number().int().positive(),
    measuredError: optional(jsonColumn(MeasuredError)),
    createdAt: z.string(),
  })
  .transform(({ deviceClassId, deviceLabel, ...rest }) => ({
    ...rest,
    deviceClass: { id: deviceClassId, label: deviceLabel },
  }));
export type BestRow = z.output<typeof BestRow>;

/** A kernel whose ok verdict on a problem came from an older harness: what `kevo reverify` judges again. */
export const StaleKernelRow = z.object({
  kernelId: z.string(),
  problem: jsonColumn(Problem),
  genome: jsonColumn(Genome),
  /** The oldest harness version that passed it. */
  harnessVersion: z.number().int().positive(),
});
export type StaleKernel = z.output<typeof StaleKernelRow>;

export const DeviceRow = z.object({
  id: z.string(),
  label: z.string(),
  facts: jsonColumn(DeviceFacts),
});

export const KernelSourceRow = z.object({
  id: z.string(),
  language: KernelSource.shape.language,
  text: z.string(),
  launch: optional(jsonColumn(Launch)),
});

export const LineageRow = z.object({
  campaignId: z.string(),
  parents: jsonColumn(z.array(z.string())),
  operator: z.string(),
});
export type LineageRow = z.output<typeof LineageRow>;

export const GenomeRow = z.object({ genome: jsonColumn(Genome) });

export const JobRow = z.object({ job: jsonColumn(KernelJob) });

/** Parse a row read back, or throw FAILURE naming where it came from. */
export function parseRow<S extends z.ZodType>(schema: S, row: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(row);
  if (!parsed.success) {
    throw new KevoError('FAILURE', `corrupt row in ${where}: ${describeZodError(parsed.error)}`);
  }
  return parsed.data;
}
