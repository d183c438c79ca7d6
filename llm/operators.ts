import type { Genome } from '../genome/genome.ts';
import { SourceGenome } from '../genome/source.ts';
import type { SearchSpace } from '../genome/space.ts';
import { describeZodError } from '../lib/errors.ts';
import { canonicalHash } from '../lib/hash.ts';
import type { LlmArchive } from './archive.ts';
import type { LlmClient } from './client.ts';
import type { LlmFailureKind } from './ledger.ts';
import type { PromptRecord } from './prompt.ts';
import { renderPrompt, type PromptContext } from './render.ts';
import { EditReply, SourceReply } from './replies.ts';

/** One LLM proposal: a genome with its lineage, or why there is none. */
export type Attempt =
  | { readonly ok: true; readonly genome: Genome; readonly parents: readonly string[]; readonly operator: 'llm-edit' | 'llm-source' }
  | { readonly ok: false; readonly failure: LlmFailureKind | 'rejected'; readonly reason: string };

export interface OperatorContext extends PromptContext {
  readonly client: LlmClient;
  readonly space: SearchSpace<Genome>;
  readonly archive: LlmArchive;
}

/** Ask for a JSON edit of a genome; the space's constraints repair or reject what comes back. */
export async function proposeEdit(ctx: OperatorContext, prompt: PromptRecord, seed: number): Promise<Attempt> {
  const exemplars = ctx.archive.pick(prompt.genome.exemplars, (e) => !('text' in e.genome));
  const outcome = await ctx.client.complete({
    purpose: 'edit',
    messages: renderPrompt(prompt.genome, ctx, exemplars),
    schema: EditReply,
    schemaName: 'genome_edit',
    seed,
    promptId: prompt.id,
  });
  if (!outcome.ok) return outcome;
  const parent = ctx.archive.get(outcome.value.parent) ?? exemplars.best[0];
  return applyEdit(ctx.space, parent && !('text' in parent.genome) ? parent : undefined, outcome.value);
}

/**
 * parent + changes, parsed by the space's schema, then check()ed and repair()ed
 * like any genetic child. An edit without a usable parent must name every gene.
 */
export function applyEdit(space: SearchSpace<Genome>, parent: { hash: string; genome: Genome } | undefined, edit: EditReply): Attempt {
  const candidate = { ...(parent?.genome ?? {}), ...edit.changes };
  const parsed = space.schema.safeParse(candidate);
  if (!parsed.success) return { ok: false, failure: 'rejected', reason: `the edit gives no ${space.name} genome: ${describeZodError(parsed.error)}` };
  let genome = parsed.data;
  const broken = space.check(genome);
  if (broken !== null) {
    const repaired = space.repair(genome);
    if (repaired === null || space.check(repaired) !== null) return { ok: false, failure: 'rejected', reason: `the edit breaks a constraint and cannot be repaired: ${broken}` };
    genome = repaired;
  }
  return { ok: true, genome, parents: parent ? [parent.hash] : [], operator: 'llm-edit' };
}

/** Ask for a whole WAT or WGSL kernel. It is never run here: it travels as a SourceGenome to the harness. */
export async function proposeSource(ctx: OperatorContext, prompt: PromptRecord, seed: number): Promise<Attempt> {
  const exemplars = ctx.archive.pick(prompt.genome.exemplars, (e) => 'text' in e.genome || e.fitness !== null);
  const outcome = await ctx.client.complete({
    purpose: 'source',
    messages: renderPrompt(prompt.genome, ctx, exemplars),
    schema: SourceReply,
    schemaName: 'kernel_source',
    seed,
    promptId: prompt.id,
  });
  if (!outcome.ok) return outcome;
  const wasm = ctx.backend === 'wasm';
  const parsed = SourceGenome.safeParse({
    backend: ctx.backend,
    family: 'source',
    language: wasm ? 'wat' : 'wgsl',
    text: outcome.value.source,
    ...(wasm ? {} : { tile: outcome.value.tile }),
    promptId: prompt.id,
  });
  if (!parsed.success) return { ok: false, failure: 'rejected', reason: `the source is no ${ctx.backend} source genome: ${describeZodError(parsed.error)}` };
  if (!wasm && parsed.data.tile === undefined) return { ok: false, failure: 'rejected', reason: 'a WGSL source must say its workgroup output tile' };
  return { ok: true, genome: parsed.data, parents: exemplars.best.slice(0, 1).map((e) => canonicalHash(e.genome)), operator: 'llm-source' };
}
