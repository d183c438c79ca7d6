import type { Rng } from '../lib/rng.ts';
import type { ScoredPrompt } from './meta.ts';
import { promptFitness, type PromptRecord, type PromptScore, type PromptTask } from './prompt.ts';

const emptyScore = (): PromptScore => ({ proposals: 0, valid: 0, bestSpeedup: null });

/**
 * The prompts of a campaign with their scores, selected like genomes: a new
 * prompt is tried `trials` times before it competes; after that a binary
 * tournament on fitness among the best `size` of its task.
 */
export class PromptPopulation {
  private readonly records = new Map<string, PromptRecord>();
  private readonly scores = new Map<string, PromptScore>();

  constructor(
    private readonly size: number,
    private readonly trials: number,
    entries: readonly ScoredPrompt[] = [],
  ) {
    for (const { record, score } of entries) this.add(record, score);
  }

  /** False when a prompt with this id is already here (meta-evolution bred a twin). */
  add(record: PromptRecord, score: PromptScore = emptyScore()): boolean {
    if (this.records.has(record.id)) return false;
    this.records.set(record.id, record);
    this.scores.set(record.id, { ...score });
    return true;
  }

  has(id: string): boolean {
    return this.records.has(id);
  }

  score(id: string): PromptScore | undefined {
    return this.scores.get(id);
  }

  /** A proposal this prompt made (valid or not is known later, from the harness). */
  proposed(id: string): PromptScore {
    return this.update(id, (s) => ({ ...s, proposals: s.proposals + 1 }));
  }

  /** The harness accepted a kernel of this prompt with this speedup. */
  validated(id: string, speedup: number): PromptScore {
    return this.update(id, (s) => ({ ...s, valid: s.valid + 1, bestSpeedup: Math.max(s.bestSpeedup ?? 0, speedup) }));
  }

  select(task: PromptTask, rng: Rng): PromptRecord | undefined {
    const candidates = this.ofTask(task);
    const untried = candidates.find((p) => p.score.proposals < this.trials);
    if (untried) return untried.record;
    const pool = candidates.sort(byFitness).slice(0, this.size);
    if (pool.length === 0) return undefined;
    const a = rng.pick(pool);
    const b = rng.pick(pool);
    return (promptFitness(a.score) >= promptFitness(b.score) ? a : b).record;
  }

  /** The fittest tried prompts of a task, best first: meta-evolution's parents. */
  elite(task: PromptTask, count: number): ScoredPrompt[] {
    return this.ofTask(task)
      .filter((p) => p.score.proposals >= this.trials)
      .sort(byFitness)
      .slice(0, count);
  }

  toJSON(): ScoredPrompt[] {
    return [...this.records.values()].map((record) => ({ record, score: this.scores.get(record.id)! }));
  }

  private ofTask(task: PromptTask): ScoredPrompt[] {
    return this.toJSON().filter((p) => p.record.genome.task === task);
  }

  private update(id: string, change: (score: PromptScore) => PromptScore): PromptScore {
    const next = change(this.scores.get(id) ?? emptyScore());
    this.scores.set(id, next);
    return next;
  }
}

function byFitness(a: ScoredPrompt, b: ScoredPrompt): number {
  return promptFitness(b.score) - promptFitness(a.score);
}
