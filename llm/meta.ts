import { opFor } from '../genome/ops/index.ts';
import type { DeviceClass } from '../protocol/device.ts';
import type { Problem } from '../genome/ops/problem.ts';
import type { LlmClient } from './client.ts';
import type { LlmFailureKind } from './ledger.ts';
import { promptRecord, validityRate, type PromptRecord, type PromptScore } from './prompt.ts';
import { MetaReply } from './replies.ts';
import { fill, template } from './templates.ts';

export interface ScoredPrompt {
  readonly record: PromptRecord;
  readonly score: PromptScore;
}

export type Bred = { readonly ok: true; readonly record: PromptRecord } | { readonly ok: false; readonly failure: LlmFailureKind; readonly reason: string };

const taskDescriptions = {
  edit: 'the model returns a JSON edit of a kernel genome',
  source: 'the model writes a whole kernel source',
} as const;

/**
 * Meta-evolution: the LLM rewrites one prompt (mutation) or recombines two
 * (crossover) from the meta template in llm/templates/meta.md, seeing each
 * parent's record. The child keeps its parents' task; lineage is its parents' ids.
 */
export async function breedPrompt(
  client: LlmClient,
  parents: readonly ScoredPrompt[],
  facts: { problem: Problem; device: DeviceClass },
  seed: number,
): Promise<Bred> {
  const task = parents[0]!.record.genome.task;
  const op = opFor(facts.problem);
  const instruction =
    parents.length > 1
      ? 'Recombine these prompts into one child that keeps the strongest sections of each.'
      : 'Rewrite this prompt into a child that should produce more valid and faster kernels.';
  const content = fill(template('meta'), {
    task,
    taskDescription: taskDescriptions[task],
    problem: `${op.name} ${op.formatShape(facts.problem.shape)}`,
    device: facts.device.label,
    parents: parents.map(describeParent).join('\n\n'),
    instruction,
  });
  const outcome = await client.complete({
    purpose: 'meta',
    messages: [{ role: 'user', content }],
    schema: MetaReply,
    schemaName: 'prompt',
    seed,
  });
  if (!outcome.ok) return outcome;
  const { rationale: _rationale, ...sections } = outcome.value;
  const operator = parents.length > 1 ? 'meta-crossover' : 'meta-rewrite';
  return { ok: true, record: promptRecord({ task, ...sections }, parents.map((p) => p.record), operator) };
}

function describeParent({ record, score }: ScoredPrompt, index: number): string {
  const { task: _task, ...sections } = record.genome;
  const best = score.bestSpeedup === null ? 'none valid' : `${score.bestSpeedup.toFixed(3)}x`;
  return [
    `Prompt ${index + 1} (generation ${record.generation}): ${score.proposals} kernels, ${score.valid} valid (${(validityRate(score) * 100).toFixed(0)}%), best speedup ${best}.`,
    JSON.stringify(sections, null, 2),
  ].join('\n');
}
