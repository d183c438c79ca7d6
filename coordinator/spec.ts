import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Backend } from '../genome/genome.ts';
import { Accuracy, findOp, opByName, opNames, problemFrom, type Problem } from '../genome/ops/index.ts';
import { KevoError, describeZodError } from '../lib/errors.ts';
import { Budgets } from '../protocol/job.ts';
import { LlmOptions } from '../llm/options.ts';
import { strategyNames } from './strategies/index.ts';

/** A problem as a person writes it, the shape in the op's own text form ("MxNxK" for matmul). */
const ProblemSpec = z
  .object({
    op: z.string().refine((name) => findOp(name) !== undefined, { error: () => `expected one of ${opNames().join(', ')}` }),
    shape: z.string().min(1),
    /** The accuracy contract; f32's when absent. */
    accuracy: Accuracy.optional(),
    /** Matmul: the epilogue stages in order, e.g. ["bias", "gelu", "residual"]. */
    epilogue: z.array(z.string()).optional(),
  })
  .strict();

export const CampaignBudget = z
  .object({
    /** Candidates per problem, cached ones included: a seeded campaign re-run on the same db evaluates nothing new. */
    evaluations: z.number().int().min(1).max(1_000_000).optional(),
    seconds: z.number().positive().max(30 * 86_400).optional(),
  })
  .strict()
  .refine((b) => b.evaluations !== undefined || b.seconds !== undefined, {
    message: 'give evaluations, seconds, or both',
  });

export const CampaignSpec = z
  .object({
    name: z.string().min(1).max(200).optional(),
    problems: z.array(ProblemSpec).min(1),
    backend: Backend.default('wasm'),
    strategy: z.enum(strategyNames as [string, ...string[]]).default('genetic'),
    population: z.number().int().min(2).max(10_000).default(12),
    budget: CampaignBudget.default({ evaluations: 60 }),
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
    /** Worker threads of the embedded pool; NATS workers choose their own. */
    threads: z.number().int().min(1).max(256).optional(),
    db: z.string().min(1).default('kevo.db'),
    /** A device class id (or unique prefix) to pin the campaign to; default: the first one that can run the backend. */
    device: z.string().min(1).optional(),
    /** Let WASM workers enable relaxed SIMD (FMA) where the runtime has it. */
    relaxedSimd: z.boolean().default(true),
    timing: Budgets.partial().default({}),
    /** LLM proposals (and reviews) mixed into the strategy; absent: no LLM. */
    llm: LlmOptions.optional(),
  })
  .strict();
export type CampaignSpecInput = z.input<typeof CampaignSpec>;
export type CampaignSpec = z.infer<typeof CampaignSpec>;

/** Validate a spec; every problem names its zod path, e.g. `problems.0.shape: ...`. */
export function parseSpec(value: unknown, source = 'spec'): CampaignSpec {
  const parsed = CampaignSpec.safeParse(value);
  if (!parsed.success) throw new KevoError('BAD_INPUT', `invalid ${source}: ${describeZodError(parsed.error)}`);
  // The op's own schema judges the rest (an epilogue out of order, a field the op lacks) before anything is stored.
  parsed.data.problems.forEach((p, i) => {
    const check = (path: string, run: () => unknown) => {
      try {
        run();
      } catch (error) {
        throw new KevoError('BAD_INPUT', `invalid ${source}: problems.${i}${path}: ${(error as Error).message}`);
      }
    };
    check('.shape', () => opByName(p.op).parseShape(p.shape));
    check('', () => resolveProblem(p));
  });
  return parsed.data;
}

export function loadSpecFile(path: string): CampaignSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new KevoError('BAD_INPUT', `cannot read spec "${path}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new KevoError('BAD_INPUT', `spec "${path}" is not valid JSON: ${(error as Error).message}`);
  }
  return parseSpec(json, `spec "${path}"`);
}

export function resolveProblem(p: z.infer<typeof ProblemSpec>): Problem {
  const { op, shape, ...fields } = p;
  return problemFrom(op, shape, fields);
}

export function specProblems(spec: CampaignSpec): Problem[] {
  return spec.problems.map(resolveProblem);
}
