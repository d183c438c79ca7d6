import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { z } from 'zod';
import { Backend } from '../genome/genome.ts';
import { findFamily } from '../genome/families/registry.ts';
import { backendLimit } from '../genome/spaces.ts';
import { Accuracy, findOp, opByName, opNames, problemFieldIssue, problemFrom, type Problem } from '../genome/ops/index.ts';
import { KevoError, describeZodError } from '../lib/errors.ts';
import { clip, quote } from '../lib/quote.ts';
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
    /** The op's dtype scheme, e.g. matmul "i8" or "u8i8"; f32 when absent. */
    dtype: z.string().optional(),
    /** Matmul w4 / w4a8: elements of K per quantization group (32, 64 or 128). */
    group: z.number().optional(),
    /** Convolutions: 1 or 2, and same or valid (the op's schema judges them). */
    stride: z.number().optional(),
    pad: z.string().optional(),
    /** Matmul w4: packed u4 zero points per group (ONNX MatMulNBits' zero_points); 8 for every group when absent. */
    zeroPoint: z.boolean().optional(),
    /** Matmul i16: elements of K per shared exponent of A's and B's K slabs (32, 64 or 128); one exponent per tensor when absent. */
    exponentBlock: z.number().optional(),
    /** Matmul: "fixed" when B stays the same across calls (kernels may pack it at load), "varying" when it may change every call; the dtype's default when absent. */
    weights: z.string().optional(),
    /** Matmul i16: the output, i32 (default) or i16 (requantized mantissas and a shift). */
    output: z.string().optional(),
  })
  .strict();

/** Candidates per problem and seconds per campaign: the most a budget may ask for. */
export const MAX_EVALUATIONS = 1_000_000;
const MAX_SECONDS = 30 * 86_400;

export const CampaignBudget = z
  .object({
    /** Candidates per problem, cached ones included: a seeded campaign re-run on the same db evaluates nothing new. */
    evaluations: z.number().int().min(1, { error: 'must be at least 1' }).max(MAX_EVALUATIONS, { error: `must be at most ${MAX_EVALUATIONS}` }).optional(),
    seconds: z.number().positive({ error: 'must be positive' }).max(MAX_SECONDS, { error: `must be at most ${MAX_SECONDS} (30 days)` }).optional(),
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
    device: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'expected a device class id or prefix (letters, digits, _ and -), see kevo workers' })
      .optional(),
    /** Let WASM workers enable relaxed SIMD (FMA) where the runtime has it. */
    relaxedSimd: z.boolean().default(true),
    timing: Budgets.partial().default({}),
    /** The promotion gate: how many of the best kernels are re-timed before the campaign reports its best (0: none). */
    promote: z.number().int().min(0).max(16).default(3),
    /** Rounds of the promotion gate: each kernel gets one speedup per round, and the interval comes from those. */
    promoteRounds: z.number().int().min(2).max(100).default(7),
    /** LLM proposals (and reviews) mixed into the strategy; absent: no LLM. */
    llm: LlmOptions.optional(),
  })
  .strict();
export type CampaignSpecInput = z.input<typeof CampaignSpec>;
export type CampaignSpec = z.infer<typeof CampaignSpec>;

/**
 * Validate a spec; every problem names its zod path, e.g. `problems.0.shape: ...`,
 * or, when the spec was built from flags, the flag that set it (`flagFor`).
 */
export function parseSpec(value: unknown, source = 'spec', flagFor?: (path: string) => string | undefined): CampaignSpec {
  const parsed = CampaignSpec.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = flagFor?.(issue.path.join('.'));
    throw new KevoError('BAD_INPUT', flag ? `${flag}: ${issue.message}` : `invalid ${source}: ${describeZodError(parsed.error)}`);
  }
  // The op's own schema judges the rest (an epilogue out of order, a field the op lacks), then the backend
  // whether it can hold the tensors, before anything is stored.
  parsed.data.problems.forEach((p, i) => {
    const check = (path: string, run: () => unknown) => {
      try {
        run();
      } catch (error) {
        if (flagFor?.(`problems.${i}${path}`)) throw error; // its message already names the value as typed
        throw new KevoError('BAD_INPUT', `invalid ${source}: problems.${i}${path}: ${(error as Error).message}`);
      }
    };
    check('.shape', () => opByName(p.op).parseShape(p.shape));
    checkProblemFields(p, `problems.${i}`, source, flagFor);
    const { dtype } = resolveProblem(p);
    if (!findFamily(p.op, parsed.data.backend, dtype)) {
      const where = flagFor?.(`problems.${i}.dtype`) ?? `invalid ${source}: problems.${i}.dtype`;
      throw new KevoError('BAD_INPUT', `${where}: no kernel family runs ${p.op} ${dtype} on backend ${parsed.data.backend}`);
    }
    check('.shape', () => {
      const limit = backendLimit(resolveProblem(p), parsed.data.backend);
      if (limit) throw new KevoError('BAD_INPUT', `shape ${quote(p.shape)} is too big for ${parsed.data.backend}: ${limit}`);
    });
  });
  return parsed.data;
}

/**
 * The op's own schema over a problem's fields, an issue named by its flag
 * where one set it (--dtype, --group), else by its spec path.
 */
function checkProblemFields(p: z.infer<typeof ProblemSpec>, at: string, source: string, flagFor?: (path: string) => string | undefined): void {
  const { op, shape, ...fields } = p;
  const issue = problemFieldIssue(op, shape, fields);
  if (!issue) return;
  const flag = issue.field === undefined ? undefined : flagFor?.(`${at}.${issue.field}`);
  throw new KevoError('BAD_INPUT', flag ? `${flag}: ${issue.message}` : `invalid ${source}: ${[at, issue.path].filter(Boolean).join('.')}: ${issue.message}`);
}

/** A spec is a few hundred bytes; past this it is not one (and reading it would only cost memory). */
export const MAX_SPEC_BYTES = 1 << 20;

/**
 * Reads a spec file: a regular file of at most MAX_SPEC_BYTES (a FIFO, a
 * device such as /dev/zero or a directory is refused before a byte is read),
 * UTF-8 with or without a byte-order mark.
 */
export function loadSpecFile(path: string): CampaignSpec {
  const name = `spec ${quote(path)}`;
  return parseSpec(readJsonFile(path, name), name);
}

/** The JSON in a spec-like file (a campaign spec, a suite) read as loadSpecFile reads it; `name` leads every error. */
export function readJsonFile(path: string, name: string): unknown {
  const text = readSpecText(path, name);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new KevoError('BAD_INPUT', `${name} is not valid JSON: ${clip((error as Error).message)}`);
  }
}

function readSpecText(path: string, name: string): string {
  let fd: number;
  try {
    // Non-blocking: opening a FIFO with no writer would otherwise wait forever.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new KevoError('BAD_INPUT', `cannot read ${name}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new KevoError('BAD_INPUT', `${name} is not a regular file (${fileKind(stat)})`);
    if (stat.size > MAX_SPEC_BYTES) {
      throw new KevoError('BAD_INPUT', `${name} is ${stat.size} bytes; a spec is at most ${MAX_SPEC_BYTES} bytes`);
    }
    // Read at most one byte past the cap: a file growing after fstat is refused, not read to the end.
    const buffer = Buffer.alloc(MAX_SPEC_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
    }
    if (length > MAX_SPEC_BYTES) throw new KevoError('BAD_INPUT', `${name} is over ${MAX_SPEC_BYTES} bytes; a spec is at most that`);
    return buffer.toString('utf8', 0, length).replace(/^\uFEFF/, '');
  } finally {
    closeSync(fd);
  }
}

function fileKind(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}

export function resolveProblem(p: z.infer<typeof ProblemSpec>): Problem {
  const { op, shape, ...fields } = p;
  return problemFrom(op, shape, fields);
}

export function specProblems(spec: CampaignSpec): Problem[] {
  return spec.problems.map(resolveProblem);
}
