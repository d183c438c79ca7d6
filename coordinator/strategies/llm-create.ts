import type { Genome } from '../../genome/genome.ts';
import type { Problem } from '../../genome/ops/problem.ts';
import type { SearchSpace } from '../../genome/space.ts';
import { parseOrThrow } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import { Rng } from '../../lib/rng.ts';
import { LlmClient } from '../../llm/client.ts';
import type { LlmCache } from '../../llm/cache.ts';
import { LlmLedger, type LlmCall, type LlmUsage } from '../../llm/ledger.ts';
import { apiKeyFromEnv, LlmOptions, type LlmOptionsInput } from '../../llm/options.ts';
import { promptRecord } from '../../llm/prompt.ts';
import { seedPrompts } from '../../llm/templates.ts';
import type { DeviceClass } from '../../protocol/device.ts';
import { clientReviewer, type Reviewer } from '../../verifiers/llm-review.ts';
import { LlmCheckpoint, LlmStrategy, type LlmRecorder } from './llm.ts';
import type { Strategy, StrategyState } from './strategy.ts';

/**
 * What the LLM strategy reads and reports for one campaign. The strategy knows
 * no store: the coordinator binds these to it (coordinator/llm-records.ts).
 */
export interface LlmCampaignRecords {
  /** Replies already paid for, by request. */
  readonly cache: LlmCache;
  /** What the campaign spent before this run, so the budget counts it. */
  readonly spent: LlmUsage;
  /** Every call, answered or failed, paid or cached. */
  readonly onCall: (call: LlmCall) => void;
  readonly recorder: LlmRecorder;
}

export interface LlmCampaignContext {
  readonly records: LlmCampaignRecords;
  readonly problem: Problem;
  readonly device: DeviceClass;
  /** Seeds the LLM strategy's own rng (task and prompt choice, request seeds). */
  readonly seed: number;
  readonly log?: Logger;
  /** The whole checkpoint LlmStrategy.state() returned, to resume; build `inner` from innerState(state) first. */
  readonly state?: StrategyState;
  /** Reviews sources when `review` is not 'off'; default: in this process, over the same endpoint. A campaign may route review jobs through its Transport instead. */
  readonly reviewer?: Reviewer;
  /** Default: KEVO_LLM_API_KEY. */
  readonly apiKey?: string;
}

/** The inner strategy's checkpoint inside an LLM strategy's, to rebuild `inner` before createLlmStrategy. */
export function innerState(state: StrategyState | undefined): StrategyState | undefined {
  return state?.strategy === 'llm' ? (state.inner as StrategyState | undefined) : undefined;
}

/**
 * The LLM strategy around `inner` for one campaign: client with the
 * campaign's reply cache and call log, a budget that counts what the campaign
 * already spent, seed prompts on a fresh start, and the checkpoint on resume.
 */
export function createLlmStrategy(
  inner: Strategy<Genome>,
  space: SearchSpace<Genome>,
  opts: LlmOptionsInput & LlmCampaignContext,
): LlmStrategy {
  const { records, problem, device, seed, log, state, reviewer, apiKey, ...optionFields } = opts;
  const options = parseOrThrow(LlmOptions, optionFields, 'LLM options');
  const { recorder } = records;
  const budget = { ...(options.maxTokens === undefined ? {} : { maxTokens: options.maxTokens }), ...(options.maxCost === undefined ? {} : { maxCost: options.maxCost }) };
  const client = new LlmClient({
    endpoint: options,
    apiKey: apiKey ?? apiKeyFromEnv(),
    cache: records.cache,
    ledger: new LlmLedger(budget, records.spent),
    onCall: records.onCall,
    ...(log ? { log } : {}),
  });
  const checkpoint = state?.strategy === 'llm' ? parseOrThrow(LlmCheckpoint, state.llm, 'LLM strategy state') : freshCheckpoint(options, seed, recorder);
  return new LlmStrategy(
    {
      inner,
      space,
      client,
      context: { problem, backend: device.facts.backend, device, genomeSchema: space.schema, spaceName: space.name },
      options,
      recorder,
      ...(options.review === 'off' ? {} : { reviewer: reviewer ?? clientReviewer(client) }),
      ...(log ? { log } : {}),
    },
    checkpoint,
  );
}

function freshCheckpoint(options: LlmOptions, seed: number, recorder: LlmRecorder): LlmCheckpoint {
  const prompts = seedPrompts()
    .filter((genome) => options.operators.includes(genome.task))
    .map((genome) => ({ record: promptRecord(genome, [], 'seed'), score: { proposals: 0, valid: 0, bestSpeedup: null } }));
  for (const { record, score } of prompts) {
    recorder.savePrompt(record);
    recorder.scorePrompt(record.id, score);
  }
  return {
    rng: new Rng(seed).state() as LlmCheckpoint['rng'],
    credit: 0,
    prompts,
    pending: [],
    reviewed: [],
    archive: [],
    seen: [],
    sinceBreed: { edit: 0, source: 0 },
  };
}
