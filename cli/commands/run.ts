import type { Command } from 'commander';
import { z } from 'zod';
import { MAX_EVALUATIONS, parseSpec } from '../../coordinator/spec.ts';
import { AccuracyText, opByName } from '../../genome/ops/index.ts';
import { addCommonOptions, CommonFlags, epilogueFlag, intFlag, numberFlag, padFlag, parseFlags, problemFlagFields, strideFlag } from '../options.ts';
import { LlmEndpointFlags, withLlmEndpoint } from '../llm-flags.ts';
import { addNatsOptions } from '../nats.ts';
import { runSession } from '../session.ts';

/** The search settings `kevo run` and `kevo suite run` share: everything of a spec but its problems and budget. */
export const SearchFlags = {
  ...CommonFlags,
  backend: z.string(),
  strategy: z.string(),
  population: intFlag(2, 10_000),
  seed: intFlag(0, 2 ** 32 - 1),
  threads: intFlag(1, 256).optional(),
  relaxedSimd: z.boolean(),
  deadlineMs: intFlag(100, 3_600_000).optional(),
  timingMs: intFlag(1, 600_000).optional(),
  promote: intFlag(0, 16).optional(),
  promoteRounds: intFlag(2, 100).optional(),
  ...LlmEndpointFlags,
  llmShare: numberFlag(0).pipe(z.number().max(1, { error: 'must be at most 1' })).optional(),
  llmMaxTokens: intFlag(1).optional(),
  llmMaxCost: numberFlag(0).optional(),
  llmCostPer1kPrompt: numberFlag(0).optional(),
  llmCostPer1kCompletion: numberFlag(0).optional(),
  llmReview: z.enum(['off', 'gate', 'advisory']).optional(),
};

const RunFlags = withLlmEndpoint(z.object({
  ...SearchFlags,
  shape: z.string({ error: 'required, e.g. --shape 512x512x512' }),
  epilogue: epilogueFlag,
  stride: strideFlag,
  pad: padFlag,
  dtype: z.string().optional(),
  accuracy: AccuracyText.optional(),
  group: intFlag(1).optional(),
  zeroPoint: z.boolean().optional(),
  exponentBlock: intFlag(1).optional(),
  weights: z.string().optional(),
  output: z.string().optional(),
  budget: intFlag(1, MAX_EVALUATIONS).optional(),
  seconds: numberFlag(0.001).optional(),
  device: z.string().optional(),
}));

export function registerRun(program: Command): void {
  const command = addCommonOptions(
    program
      .command('run')
      .description('run a search campaign for one problem (embedded: no server needed)')
      .argument('<op>', 'the op, e.g. matmul')
      .requiredOption('--shape <MxNxK>', 'problem shape, e.g. 512x512x512 (matmul) or n1h32w32c16k32r3s3 (conv2d)')
      .option('--epilogue <stages>', 'matmul epilogue, in order: bias, relu|gelu|silu, residual (e.g. bias,gelu,residual)')
      .option('--stride <1|2>', 'convolution stride (default 1)')
      .option('--pad <same|valid>', 'convolution padding, same as TF defines it (default) or valid')
      .option('--dtype <scheme>', 'matmul dtype scheme: f32 (default) | f16 (A, B, C f16) | i8 | u8i8 (A u8 with zero point, B i8 with zero point; C i32) | i16 (dynamic fixed point mantissas; C i32) | w4 (f32 A, 4-bit B in ORT MatMulNBits layout) | w4a8 (int8 A, signed 4-bit B); conv ops: f32 | i16 (dynamic fixed point mantissas; output i32)')
      .option('--accuracy <contract>', 'f32 (default), f16, bf16: the rounding kernels may add; f32-norm: f32 rounding relative to norm products (lets Winograd join a 3x3 stride-1 conv2d search); or a number, e.g. 1e-2: the max error relative to the output\'s scale, and kevo may pick f32, f16, i8 or w4 (matmul f32, on wasm and webgpu)')
      .option('--group <g>', 'w4 / w4a8: elements of K per quantization group (32, 64 or 128)')
      .option('--weights <fixed|varying>', "matmul and conv2d: whether B (W) stays the same from call to call (a model's weights; kernels may pack it once at load, and exports take it through setWeights()) or may change every call (the pack is timed with each call); default fixed for matmul's quantized dtypes, else varying")
      .option('--exponent-block <b>', 'i16: one exponent per block of b along K for A and for B (32, 64 or 128), as inputs a_exponents and b_exponents (i8); absent: one per tensor, the caller\'s')
      .option('--output <dtype>', 'i16: the output, i32 (default: the exact sums) or i16 (C requantized to i16 mantissas with the smallest shift that keeps every element in range, as output c_shift i8 [1]; rounding half up)')
      .option('--zero-point', 'w4: a packed u4 zero point per group as an input (ONNX MatMulNBits zero_points); 8 when absent')
      .option('--budget <n>', 'candidates to evaluate, store hits included (default 60 unless --seconds)')
      .option('--seconds <s>', 'wall-clock budget in seconds')
      .option('--device <id>', 'pin the campaign to a device class (id or prefix)'),
  );
  addSearchOptions(command);
  addNatsOptions(command).action(async (op: string, options: Record<string, unknown>) => {
    const flags = parseFlags(RunFlags, options);
    opByName(op);
    const spec = parseSpec(
      {
        problems: [{ op, shape: flags.shape, ...problemFlagFields(flags) }],
        ...searchSpec(flags),
        budget: { evaluations: flags.budget ?? (flags.seconds === undefined ? 60 : undefined), seconds: flags.seconds },
        device: flags.device,
      },
      'options',
      (path) => SPEC_FLAGS[path],
    );
    process.exitCode = await runSession({ spec, flags, transport: options });
  });
}

/** The search options (SearchFlags) on a command, with `kevo run`'s defaults. */
export function addSearchOptions(command: Command): Command {
  return command
    .option('--backend <backend>', 'wasm | webgpu', 'wasm')
    .option('--strategy <name>', 'genetic | random | map-elites', 'genetic')
    .option('--population <p>', 'candidates per generation', '12')
    .option('--seed <s>', 'seed: the same seed on the same db proposes the same genomes', '1')
    .option('--threads <t>', 'worker threads of the embedded pool (default: all cores)')
    .option('--no-relaxed-simd', 'do not enable relaxed SIMD (FMA) in WASM workers')
    .option('--deadline-ms <ms>', 'per-job deadline: a kernel past it is killed')
    .option('--timing-ms <ms>', 'time budget for timing one candidate')
    .option('--promote <k>', 'promotion gate: re-time the best k kernels in rounds, on another worker where there is one (else in a fresh thread), for a 95% interval (default 3; 0: off)')
    .option('--promote-rounds <n>', 'rounds of the promotion gate (default 7)')
    .option('--llm-base-url <url>', 'OpenAI-compatible endpoint for LLM proposals (key from KEVO_LLM_API_KEY)')
    .option('--llm-model <model>', 'model name at that endpoint')
    .option('--llm-share <fraction>', 'share of proposals the LLM makes (default 0.3)')
    .option('--llm-max-tokens <n>', 'token budget: past it LLM calls stop, the search goes on')
    .option('--llm-max-cost <usd>', 'cost budget in USD (needs a price per 1k tokens)')
    .option('--llm-cost-per-1k-prompt <usd>', 'price of 1k prompt tokens')
    .option('--llm-cost-per-1k-completion <usd>', 'price of 1k completion tokens')
    .option('--llm-review <mode>', 'LLM review of LLM-written sources: off | gate | advisory')
    .option('--llm-timeout-ms <ms>', 'timeout of one LLM call');
}

type SearchFlagValues = z.infer<z.ZodObject<typeof SearchFlags>>;

/** The spec fields the search options set. */
export function searchSpec(flags: SearchFlagValues) {
  return {
    backend: flags.backend,
    strategy: flags.strategy,
    population: flags.population,
    seed: flags.seed,
    threads: flags.threads,
    db: flags.db,
    relaxedSimd: flags.relaxedSimd,
    timing: { deadlineMs: flags.deadlineMs, timingMs: flags.timingMs },
    promote: flags.promote,
    promoteRounds: flags.promoteRounds,
    llm: flags.llmBaseUrl === undefined ? undefined : llmSpec(flags),
  };
}

/** The flag that sets each spec path, so an error names what the user typed (--budget), not budget.evaluations. */
export const SPEC_FLAGS: Record<string, string> = {
  'problems.0.op': '<op>',
  'problems.0.shape': '--shape',
  'problems.0.dtype': '--dtype',
  'problems.0.accuracy': '--accuracy',
  'problems.0.group': '--group',
  'problems.0.zeroPoint': '--zero-point',
  'problems.0.exponentBlock': '--exponent-block',
  'problems.0.weights': '--weights',
  'problems.0.output': '--output',
  'problems.0.epilogue': '--epilogue',
  'problems.0.stride': '--stride',
  'problems.0.pad': '--pad',
  backend: '--backend',
  strategy: '--strategy',
  population: '--population',
  budget: '--budget',
  'budget.evaluations': '--budget',
  'budget.seconds': '--seconds',
  seed: '--seed',
  threads: '--threads',
  db: '--db',
  device: '--device',
  'timing.deadlineMs': '--deadline-ms',
  'timing.timingMs': '--timing-ms',
  promote: '--promote',
  promoteRounds: '--promote-rounds',
  llm: '--llm-base-url',
  'llm.baseUrl': '--llm-base-url',
  'llm.model': '--llm-model',
  'llm.share': '--llm-share',
  'llm.maxTokens': '--llm-max-tokens',
  'llm.maxCost': '--llm-max-cost',
  'llm.costPer1kPromptTokens': '--llm-cost-per-1k-prompt',
  'llm.costPer1kCompletionTokens': '--llm-cost-per-1k-completion',
  'llm.review': '--llm-review',
  'llm.timeoutMs': '--llm-timeout-ms',
};

/** The spec's llm field from --llm-* flags, leaving out what was not given so the schema's defaults apply. */
function llmSpec(flags: SearchFlagValues): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    baseUrl: flags.llmBaseUrl,
    model: flags.llmModel,
    share: flags.llmShare,
    maxTokens: flags.llmMaxTokens,
    maxCost: flags.llmMaxCost,
    costPer1kPromptTokens: flags.llmCostPer1kPrompt,
    costPer1kCompletionTokens: flags.llmCostPer1kCompletion,
    review: flags.llmReview,
    timeoutMs: flags.llmTimeoutMs,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}
