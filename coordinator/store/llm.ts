import { z } from 'zod';
import type { CachedReply, LlmCache } from '../../llm/cache.ts';
import { emptyUsage, type LlmCall, type LlmUsage } from '../../llm/ledger.ts';
import type { ScoredPrompt } from '../../llm/meta.ts';
import { PromptGenome, PromptOperator, type PromptRecord, type PromptScore, type PromptTask } from '../../llm/prompt.ts';
import type { ReviewVerdict } from '../../protocol/result.ts';
import { reviewAgreement, type ReviewAgreement, type ReviewPair } from '../../verifiers/llm-review-agreement.ts';
import { KevoError } from '../../lib/errors.ts';
import { jsonColumn, optional, parseRow } from './rows.ts';
import type { Store } from './store.ts';

const now = () => new Date().toISOString();

const CacheRow = z.object({
  model: z.string(),
  requestHash: z.string(),
  response: jsonColumn(z.object({ content: z.string().nullable(), refusal: z.string().nullable(), finishReason: z.string().nullable() }).strict()),
  promptTokens: z.number().int(),
  completionTokens: z.number().int(),
  cost: z.number(),
});

const PromptRow = z
  .object({
    id: z.string(),
    parents: jsonColumn(z.array(z.string())),
    operator: PromptOperator,
    generation: z.number().int(),
    sections: jsonColumn(PromptGenome),
    createdAt: z.string(),
  })
  .transform(({ sections, ...rest }) => ({ ...rest, genome: sections }));

const ScoreRow = z.object({ proposals: z.number().int(), valid: z.number().int(), bestSpeedup: optional(z.number()) });

const ReviewRow = z.object({
  campaignId: z.string(),
  verdict: z.enum(['pass', 'fail', 'unsure']),
  reasons: jsonColumn(z.array(z.string())),
  suspectedLoophole: optional(z.string()),
  failure: optional(z.string()),
  gate: z.number().transform((n) => n === 1),
  harnessOk: optional(z.number().transform((n) => n === 1)),
});
export type ReviewRow = z.output<typeof ReviewRow>;

const ProposalRow = z.object({
  campaignId: z.string(),
  task: z.string(),
  genomeHash: optional(z.string()),
  failure: optional(z.string()),
  reason: optional(z.string()),
  createdAt: z.string(),
});

/** One prompt in `kevo prompts list`: its lineage and its record over every campaign. */
export interface PromptSummary {
  readonly id: string;
  readonly task: PromptTask;
  readonly operator: z.infer<typeof PromptOperator>;
  readonly generation: number;
  readonly parents: readonly string[];
  readonly proposals: number;
  readonly valid: number;
  readonly validityRate: number;
  readonly bestSpeedup: number | null;
  readonly createdAt: string;
}

export interface PromptDetail extends PromptSummary {
  readonly genome: PromptGenome;
  readonly children: readonly string[];
  readonly campaigns: readonly ({ campaignId: string } & PromptScore)[];
  readonly proposalsMade: readonly z.output<typeof ProposalRow>[];
}

/**
 * The LLM tables of migration 3, on the Store's handle: the reply cache, the
 * prompts with lineage and scores, every call and proposal, and the reviews
 * next to the harness verdicts.
 */
export class LlmStore implements LlmCache {
  constructor(private readonly store: Store) {}

  private get db() {
    return this.store.handle;
  }

  get(key: string): CachedReply | undefined {
    const row = this.db
      .prepare(
        `SELECT model, request_hash AS requestHash, response, prompt_tokens AS promptTokens,
                completion_tokens AS completionTokens, cost FROM llm_cache WHERE key = ?`,
      )
      .get(key);
    if (row === undefined) return undefined;
    const { response, ...rest } = parseRow(CacheRow, row, `llm_cache "${key}"`);
    return { ...rest, ...response };
  }

  put(key: string, reply: CachedReply): void {
    const response = JSON.stringify({ content: reply.content, refusal: reply.refusal, finishReason: reply.finishReason });
    this.db
      .prepare(
        `INSERT OR IGNORE INTO llm_cache (key, model, request_hash, response, prompt_tokens, completion_tokens, cost, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(key, reply.model, reply.requestHash, response, reply.promptTokens, reply.completionTokens, reply.cost, now());
  }

  /** Idempotent: a prompt bred again keeps its first row and lineage. */
  savePrompt(record: PromptRecord): void {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO prompts (id, task, parents, operator, generation, sections, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(record.id, record.genome.task, JSON.stringify(record.parents), record.operator, record.generation, JSON.stringify(record.genome), now());
  }

  prompt(id: string): PromptRecord | undefined {
    const row = this.db
      .prepare(`SELECT id, parents, operator, generation, sections, created_at AS createdAt FROM prompts WHERE id = ?`)
      .get(id);
    if (row === undefined) return undefined;
    const { createdAt: _createdAt, ...record } = parseRow(PromptRow, row, `prompts "${id}"`);
    return record;
  }

  scorePrompt(campaignId: string, promptId: string, score: PromptScore): void {
    this.db
      .prepare(
        `INSERT INTO prompt_scores (prompt_id, campaign_id, proposals, valid, best_speedup, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (prompt_id, campaign_id) DO UPDATE SET proposals = excluded.proposals, valid = excluded.valid,
           best_speedup = excluded.best_speedup, updated_at = excluded.updated_at`,
      )
      .run(promptId, campaignId, score.proposals, score.valid, score.bestSpeedup, now());
  }

  /** A campaign's prompts with their scores there: what a resumed LLM strategy starts from. */
  campaignPrompts(campaignId: string): ScoredPrompt[] {
    return this.db
      .prepare(
        `SELECT p.id, p.parents, p.operator, p.generation, p.sections, p.created_at AS createdAt,
                s.proposals, s.valid, s.best_speedup AS bestSpeedup
         FROM prompt_scores s JOIN prompts p ON p.id = s.prompt_id WHERE s.campaign_id = ? ORDER BY p.created_at, p.id`,
      )
      .all(campaignId)
      .map((row) => {
        const { createdAt: _createdAt, ...record } = parseRow(PromptRow, row, `prompts of campaign "${campaignId}"`);
        const { bestSpeedup, ...counts } = parseRow(ScoreRow, row, `prompt_scores "${record.id}"`);
        return { record, score: { ...counts, bestSpeedup: bestSpeedup ?? null } };
      });
  }

  recordCall(campaignId: string, call: LlmCall): void {
    this.db
      .prepare(
        `INSERT INTO llm_calls (campaign_id, purpose, model, request_hash, prompt_id, cached, ok, failure, reason,
           prompt_tokens, completion_tokens, cost, retries, ms, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        campaignId, call.purpose, call.model, call.requestHash, call.promptId ?? null, call.cached ? 1 : 0, call.ok ? 1 : 0,
        call.failure ?? null, call.reason ?? null, call.promptTokens, call.completionTokens, call.cost, call.retries, call.ms, now(),
      );
  }

  /** Totals over a campaign's calls: progress, and the budget a resumed campaign has already spent. */
  usage(campaignId: string): LlmUsage {
    const row = this.db
      .prepare(
        `SELECT COUNT(*) AS calls, COALESCE(SUM(1 - ok), 0) AS failures, COALESCE(SUM(cached), 0) AS cacheHits,
                COALESCE(SUM(retries), 0) AS retries, COALESCE(SUM(prompt_tokens), 0) AS promptTokens,
                COALESCE(SUM(completion_tokens), 0) AS completionTokens, COALESCE(SUM(cost), 0) AS cost
         FROM llm_calls WHERE campaign_id = ?`,
      )
      .get(campaignId);
    const shape = z.object(Object.fromEntries(Object.keys(emptyUsage()).map((k) => [k, z.number()])) as Record<keyof LlmUsage, z.ZodNumber>);
    return parseRow(shape, row, `llm_calls of campaign "${campaignId}"`);
  }

  /** Why each failed call failed, most frequent first. */
  failures(campaignId: string): { failure: string; count: number }[] {
    return this.db
      .prepare(`SELECT failure, COUNT(*) AS count FROM llm_calls WHERE campaign_id = ? AND ok = 0 GROUP BY failure ORDER BY count DESC, failure`)
      .all(campaignId)
      .map((row) => parseRow(z.object({ failure: z.string(), count: z.number().int() }), row, 'llm_calls failures'));
  }

  recordProposal(campaignId: string, p: { promptId: string; task: PromptTask; genomeHash?: string; failure?: string; reason?: string }): void {
    this.db
      .prepare(`INSERT INTO llm_proposals (campaign_id, prompt_id, task, genome_hash, failure, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(campaignId, p.promptId, p.task, p.genomeHash ?? null, p.failure ?? null, p.reason ?? null, now());
  }

  recordReview(campaignId: string, genomeHash: string, review: ReviewVerdict, opts: { gate: boolean; failure?: string }): void {
    this.db
      .prepare(
        `INSERT INTO llm_reviews (campaign_id, genome_hash, verdict, reasons, suspected_loophole, failure, gate, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (campaign_id, genome_hash) DO UPDATE SET verdict = excluded.verdict, reasons = excluded.reasons,
           suspected_loophole = excluded.suspected_loophole, failure = excluded.failure, gate = excluded.gate`,
      )
      .run(campaignId, genomeHash, review.verdict, JSON.stringify(review.reasons), review.suspectedLoophole ?? null, opts.failure ?? null, opts.gate ? 1 : 0, now());
  }

  /** The harness's verdict on a reviewed genome; a genome never reviewed is left alone. */
  recordHarness(campaignId: string, genomeHash: string, ok: boolean): void {
    this.db.prepare(`UPDATE llm_reviews SET harness_ok = ? WHERE campaign_id = ? AND genome_hash = ?`).run(ok ? 1 : 0, campaignId, genomeHash);
  }

  /** Every campaign's LLM review of one genome, oldest first: what a kernel's page shows beside the harness verdicts. */
  reviews(genomeHash: string): ReviewRow[] {
    return this.db
      .prepare(
        `SELECT campaign_id AS campaignId, verdict, reasons, suspected_loophole AS suspectedLoophole, failure, gate, harness_ok AS harnessOk
         FROM llm_reviews WHERE genome_hash = ? ORDER BY rowid`,
      )
      .all(genomeHash)
      .map((row) => parseRow(ReviewRow, row, `llm_reviews of "${genomeHash}"`));
  }

  /** Reviews the harness has also judged: the input of reviewAgreement(). */
  reviewPairs(campaignId: string): ReviewPair[] {
    return this.db
      .prepare(`SELECT verdict, harness_ok AS harnessOk FROM llm_reviews WHERE campaign_id = ? AND harness_ok IS NOT NULL`)
      .all(campaignId)
      .map((row) =>
        parseRow(z.object({ verdict: z.enum(['pass', 'fail', 'unsure']), harnessOk: z.number().transform((n) => n === 1) }), row, 'llm_reviews'),
      );
  }

  /** Every prompt with its record summed over campaigns, newest generation first. */
  promptSummaries(): PromptSummary[] {
    return this.db
      .prepare(
        `SELECT p.id, p.task, p.parents, p.operator, p.generation, p.created_at AS createdAt,
                COALESCE(SUM(s.proposals), 0) AS proposals, COALESCE(SUM(s.valid), 0) AS valid, MAX(s.best_speedup) AS bestSpeedup
         FROM prompts p LEFT JOIN prompt_scores s ON s.prompt_id = p.id
         GROUP BY p.id ORDER BY p.generation DESC, p.created_at DESC, p.id`,
      )
      .all()
      .map((row) => summary(row));
  }

  /** One prompt by id or unique id prefix, with children, per-campaign scores and what it proposed. */
  promptDetail(id: string): PromptDetail | undefined {
    const summaries = this.promptSummaries().filter((p) => p.id.startsWith(id));
    const found = summaries.find((p) => p.id === id) ?? (summaries.length === 1 ? summaries[0] : undefined);
    if (!found) return undefined;
    const record = this.prompt(found.id)!;
    const children = this.promptSummaries()
      .filter((p) => p.parents.includes(found.id))
      .map((p) => p.id);
    const campaigns = this.db
      .prepare(`SELECT campaign_id AS campaignId, proposals, valid, best_speedup AS bestSpeedup FROM prompt_scores WHERE prompt_id = ? ORDER BY updated_at`)
      .all(found.id)
      .map((row) => {
        const parsed = parseRow(ScoreRow.extend({ campaignId: z.string() }), row, 'prompt_scores');
        return { ...parsed, bestSpeedup: parsed.bestSpeedup ?? null };
      });
    const proposalsMade = this.db
      .prepare(
        `SELECT campaign_id AS campaignId, task, genome_hash AS genomeHash, failure, reason, created_at AS createdAt
         FROM llm_proposals WHERE prompt_id = ? ORDER BY id`,
      )
      .all(found.id)
      .map((row) => parseRow(ProposalRow, row, 'llm_proposals'));
    return { ...found, genome: record.genome, children, campaigns, proposalsMade };
  }
}

function summary(row: unknown): PromptSummary {
  const parsed = parseRow(
    z.object({
      id: z.string(),
      task: PromptGenome.shape.task,
      parents: jsonColumn(z.array(z.string())),
      operator: PromptOperator,
      generation: z.number().int(),
      createdAt: z.string(),
      proposals: z.number().int(),
      valid: z.number().int(),
      bestSpeedup: optional(z.number()),
    }),
    row,
    'prompts',
  );
  return {
    ...parsed,
    bestSpeedup: parsed.bestSpeedup ?? null,
    validityRate: parsed.proposals === 0 ? 0 : parsed.valid / parsed.proposals,
  };
}

/** `kevo prompts list`: every prompt, its lineage and record. */
export function listPrompts(store: Store): PromptSummary[] {
  return new LlmStore(store).promptSummaries();
}

/** `kevo prompts show ID`: by id or unique prefix; NOT_FOUND otherwise. */
export function showPrompt(store: Store, id: string): PromptDetail {
  const detail = new LlmStore(store).promptDetail(id);
  if (!detail) throw new KevoError('NOT_FOUND', `no prompt "${id}" (or the prefix is ambiguous): see kevo prompts list`);
  return detail;
}

/** The LLM lines of `kevo campaign show`: usage, failures by kind, reviewer agreement with the harness. */
export function llmCampaignSummary(store: Store, campaignId: string): { usage: LlmUsage; failures: { failure: string; count: number }[]; agreement: ReviewAgreement } {
  const llm = new LlmStore(store);
  return { usage: llm.usage(campaignId), failures: llm.failures(campaignId), agreement: reviewAgreement(llm.reviewPairs(campaignId)) };
}
