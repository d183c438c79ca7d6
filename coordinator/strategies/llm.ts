import { z } from 'zod';
import type { Genome } from '../../genome/genome.ts';
import type { SearchSpace } from '../../genome/space.ts';
import { hashOf } from './seen.ts';
import { silentLogger, type Logger } from '../../lib/log.ts';
import { Rng } from '../../lib/rng.ts';
import { ArchiveEntry, LlmArchive } from '../../llm/archive.ts';
import type { LlmClient } from '../../llm/client.ts';
import type { LlmUsage } from '../../llm/ledger.ts';
import { breedPrompt, type ScoredPrompt } from '../../llm/meta.ts';
import { proposeEdit, proposeSource, type Attempt } from '../../llm/operators.ts';
import type { LlmOptions } from '../../llm/options.ts';
import { PromptPopulation } from '../../llm/population.ts';
import { PromptRecord, PromptScore, PromptTask } from '../../llm/prompt.ts';
import type { PromptContext } from '../../llm/render.ts';
import type { ReviewVerdict } from '../../protocol/result.ts';
import type { Reviewer } from '../../verifiers/llm-review.ts';
import { RngStateSchema } from './checkpoint.ts';
import type { Proposal, Scored, Strategy, StrategyState } from './strategy.ts';

/** Where the LLM strategy writes what it learns (coordinator/store/llm.ts, bound to one campaign). */
export interface LlmRecorder {
  savePrompt(record: PromptRecord): void;
  scorePrompt(promptId: string, score: PromptScore): void;
  recordProposal(p: { promptId: string; task: PromptTask; genomeHash?: string; failure?: string; reason?: string }): void;
  recordReview(genomeHash: string, review: ReviewVerdict, opts: { gate: boolean; failure?: string }): void;
  recordHarness(genomeHash: string, ok: boolean): void;
}

const Pending = z.object({ promptId: z.string(), task: PromptTask }).strict();

export const LlmCheckpoint = z
  .object({
    rng: RngStateSchema,
    /** Fractional LLM proposals owed: share * n rarely is an integer. */
    credit: z.number().min(0),
    prompts: z.array(z.object({ record: PromptRecord, score: PromptScore }).strict()),
    pending: z.array(z.tuple([z.string(), Pending])),
    reviewed: z.array(z.string()),
    archive: z.array(ArchiveEntry),
    seen: z.array(z.string()),
    sinceBreed: z.object({ edit: z.number().int().min(0), source: z.number().int().min(0) }).strict(),
  })
  .strict();
export type LlmCheckpoint = z.infer<typeof LlmCheckpoint>;

export interface LlmStrategyDeps {
  readonly inner: Strategy<Genome>;
  readonly space: SearchSpace<Genome>;
  readonly client: LlmClient;
  readonly context: PromptContext;
  readonly options: LlmOptions;
  readonly recorder: LlmRecorder;
  readonly reviewer?: Reviewer;
  readonly log?: Logger;
}

interface Plan {
  readonly task: PromptTask;
  readonly prompt: PromptRecord;
  readonly seed: number;
}

const isSource = (genome: Genome) => 'text' in genome;

/**
 * LLM operators mixed into another strategy (as OpenEvolve mixes its
 * operators): of every ask, a `share` comes from LLM edits and sources made
 * from evolved prompts, the rest from the inner strategy. Failed LLM attempts
 * are filled by the inner strategy, and once the budget is spent every
 * proposal is. The LLM sees the campaign through its own archive, built from
 * every result told; prompts earn the fitness of the kernels they made and are
 * bred by meta-evolution.
 */
export class LlmStrategy implements Strategy<Genome> {
  readonly name: string;
  private readonly rng: Rng;
  private readonly population: PromptPopulation;
  private readonly archive: LlmArchive;
  private readonly pending: Map<string, z.infer<typeof Pending>>;
  private readonly reviewed: Set<string>;
  private readonly seen: Set<string>;
  private readonly sinceBreed: { edit: number; source: number };
  private credit: number;
  private readonly log: Logger;

  constructor(
    private readonly deps: LlmStrategyDeps,
    checkpoint: LlmCheckpoint,
  ) {
    this.name = `llm+${deps.inner.name}`;
    this.rng = new Rng(checkpoint.rng);
    this.population = new PromptPopulation(deps.options.promptPopulation, deps.options.promptGenerationSize, checkpoint.prompts);
    this.archive = new LlmArchive(checkpoint.archive);
    this.pending = new Map(checkpoint.pending);
    this.reviewed = new Set(checkpoint.reviewed);
    this.seen = new Set(checkpoint.seen);
    this.sinceBreed = { ...checkpoint.sinceBreed };
    this.credit = checkpoint.credit;
    this.log = deps.log ?? silentLogger;
  }

  async ask(n: number): Promise<Proposal<Genome>[]> {
    const llm: Proposal<Genome>[] = [];
    if (this.deps.client.exhausted() === null) {
      await this.breedDue();
      this.credit += n * this.deps.options.share;
      const count = Math.min(n, Math.floor(this.credit));
      this.credit -= count;
      // every draw happens before any await, so a resumed campaign plans the same requests and hits the cache
      const plans = Array.from({ length: count }, () => this.plan()).filter((p): p is Plan => p !== undefined);
      const made = await Promise.all(plans.map((plan) => this.attempt(plan)));
      llm.push(...made.filter((p): p is Proposal<Genome> => p !== null));
    }
    const rest = n > llm.length ? await this.deps.inner.ask(n - llm.length) : [];
    return [...llm, ...rest];
  }

  tell(results: readonly Scored<Genome>[]): void {
    for (const { genome, fitness, reason } of results as readonly (Scored<Genome> & { reason?: string })[]) {
      const hash = hashOf(genome);
      this.seen.add(hash);
      const ok = typeof fitness === 'number' && Number.isFinite(fitness);
      this.archive.add(genome, ok ? fitness : null, this.descriptor(genome), reason);
      const pending = this.pending.get(hash);
      if (pending) {
        this.pending.delete(hash);
        this.sinceBreed[pending.task]++;
        if (ok) this.deps.recorder.scorePrompt(pending.promptId, this.population.validated(pending.promptId, fitness));
      }
      if (this.reviewed.delete(hash)) this.deps.recorder.recordHarness(hash, ok);
    }
    this.deps.inner.tell(results.filter((r) => !isSource(r.genome)));
  }

  state(): StrategyState {
    const llm: LlmCheckpoint = {
      rng: this.rng.state() as LlmCheckpoint['rng'],
      credit: this.credit,
      prompts: this.population.toJSON(),
      pending: [...this.pending],
      reviewed: [...this.reviewed],
      archive: this.archive.toJSON(),
      seen: [...this.seen],
      sinceBreed: { ...this.sinceBreed },
    };
    return { strategy: 'llm', inner: this.deps.inner.state(), llm };
  }

  /** Calls, tokens, cost and failures so far, for progress lines. */
  usage(): LlmUsage {
    return this.deps.client.usage();
  }

  private plan(): Plan | undefined {
    const task = this.rng.pick(this.deps.options.operators);
    const prompt = this.population.select(task, this.rng);
    const seed = this.rng.nextU32();
    return prompt ? { task, prompt, seed } : undefined;
  }

  private async attempt({ task, prompt, seed }: Plan): Promise<Proposal<Genome> | null> {
    const ctx = { ...this.deps.context, client: this.deps.client, space: this.deps.space, archive: this.archive };
    const attempt: Attempt = task === 'edit' ? await proposeEdit(ctx, prompt, seed) : await proposeSource(ctx, prompt, seed);
    this.deps.recorder.scorePrompt(prompt.id, this.population.proposed(prompt.id));
    const fail = (failure: string, reason: string) => {
      this.deps.recorder.recordProposal({ promptId: prompt.id, task, failure, reason });
      this.log.info({ promptId: prompt.id, task, failure, reason }, 'llm proposal failed');
      return null;
    };
    if (!attempt.ok) return fail(attempt.failure, attempt.reason);
    const hash = hashOf(attempt.genome);
    if (this.seen.has(hash)) return fail('duplicate', `genome ${hash} was already proposed`);
    this.seen.add(hash);
    if (isSource(attempt.genome) && this.deps.reviewer && this.deps.options.review !== 'off') {
      const gate = this.deps.options.review === 'gate';
      const { review, failure } = await this.review(attempt.genome as Extract<Genome, { text: string }>, seed);
      this.deps.recorder.recordReview(hash, review, { gate, ...(failure ? { failure } : {}) });
      if (gate && review.verdict === 'fail') {
        const reason = `LLM review: ${review.suspectedLoophole ?? review.reasons.join('; ')}`;
        this.archive.add(attempt.genome, null, this.descriptor(attempt.genome), reason);
        return fail('review', reason);
      }
      this.reviewed.add(hash);
    }
    this.pending.set(hash, { promptId: prompt.id, task });
    this.deps.recorder.recordProposal({ promptId: prompt.id, task, genomeHash: hash });
    return { genome: attempt.genome, parents: attempt.parents, operator: attempt.operator };
  }

  /**
   * A reviewer that throws (a transport gone, say) counts as an unsure verdict:
   * the harness still judges. So does a spent budget: no review is asked, here
   * or on a worker. A worker's review is counted against the budget here.
   */
  private async review(genome: Extract<Genome, { text: string }>, seed: number): Promise<{ review: ReviewVerdict; failure?: string }> {
    const spent = this.deps.client.exhausted();
    if (spent) return { review: { verdict: 'unsure', reasons: [] }, failure: `budget: ${spent}` };
    try {
      const review = await this.deps.reviewer!(genome, this.deps.context.problem, seed);
      if (review.remote) {
        this.deps.client.recordRemote({
          purpose: 'review',
          model: review.remote.model,
          requestHash: `remote:${hashOf(genome)}:${seed}`,
          promptTokens: review.promptTokens,
          completionTokens: review.completionTokens,
          cached: review.cached ?? false,
          ...(review.failure ? { failure: review.failure } : {}),
          ms: review.remote.ms,
        });
      }
      return review;
    } catch (error) {
      return { review: { verdict: 'unsure', reasons: [] }, failure: `reviewer failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }

  /** A new prompt per task once `promptGenerationSize` of its proposals have been scored. */
  private async breedDue(): Promise<void> {
    for (const task of this.deps.options.operators) {
      if (this.sinceBreed[task] < this.deps.options.promptGenerationSize) continue;
      const parents = this.population.elite(task, 2);
      if (parents.length === 0) continue;
      this.sinceBreed[task] = 0;
      const chosen: ScoredPrompt[] = parents.length > 1 && this.rng.chance(0.5) ? parents : [parents[0]!];
      const bred = await breedPrompt(this.deps.client, chosen, this.deps.context, this.rng.nextU32());
      if (!bred.ok) {
        this.log.info({ task, failure: bred.failure, reason: bred.reason }, 'prompt breeding failed');
        continue;
      }
      if (this.population.add(bred.record)) {
        this.deps.recorder.savePrompt(bred.record);
        this.deps.recorder.scorePrompt(bred.record.id, this.population.score(bred.record.id)!);
        this.log.info({ promptId: bred.record.id, parents: bred.record.parents, generation: bred.record.generation }, 'prompt bred');
      }
    }
  }

  private descriptor(genome: Genome): readonly string[] {
    return isSource(genome) ? ['source'] : this.deps.space.descriptor(genome);
  }
}
