import { z } from 'zod';
import { isSourceGenome, type Backend, type Genome } from '../genome/genome.ts';
import type { Problem } from '../genome/ops/problem.ts';
import type { DeviceClass } from '../protocol/device.ts';
import type { ArchiveEntry, Exemplars } from './archive.ts';
import type { ChatMessage } from './client.ts';
import { abiText, deviceText, opContractText } from './contract.ts';
import type { PromptGenome } from './prompt.ts';

/** The campaign facts a prompt is rendered against. */
export interface PromptContext {
  readonly problem: Problem;
  readonly backend: Backend;
  readonly device: DeviceClass;
  /** The search space's genome schema, so an edit names real genes with legal values. */
  readonly genomeSchema: z.ZodType<Genome>;
  /** e.g. "matmul/wasm". */
  readonly spaceName: string;
}

const SOURCE_CHARS = 3000;

/** Prompt genome + facts + exemplars -> chat messages. Pure: the same inputs give the same request (and cache key). */
export function renderPrompt(prompt: PromptGenome, ctx: PromptContext, exemplars: Exemplars): ChatMessage[] {
  const sections = [
    section('Op contract', opContractText(ctx.problem)),
    prompt.task === 'source' ? section('Kernel ABI', abiText(ctx.problem, ctx.backend)) : undefined,
    section('Device', deviceText(ctx.device)),
    prompt.playbook.length > 0 ? section('Optimization playbook', prompt.playbook.map((item) => `- ${item}`).join('\n')) : undefined,
    exemplarSection('Best so far', exemplars.best),
    exemplarSection('Diverse good ones', exemplars.diverse),
    exemplarSection('Failed, with the reason', exemplars.failed),
    prompt.guidance ? section('Guidance', prompt.guidance) : undefined,
    section('Output contract', outputContract(prompt, ctx)),
  ].filter((s): s is string => s !== undefined);
  return [
    { role: 'system', content: prompt.role },
    { role: 'user', content: sections.join('\n\n') },
  ];
}

function section(title: string, body: string): string {
  return `## ${title}\n${body}`;
}

function exemplarSection(title: string, entries: readonly ArchiveEntry[]): string | undefined {
  if (entries.length === 0) return undefined;
  return section(title, entries.map(describeEntry).join('\n\n'));
}

function describeEntry(entry: ArchiveEntry): string {
  const outcome = entry.fitness === null ? `failed: ${entry.reason ?? 'no reason recorded'}` : `speedup ${entry.fitness.toFixed(3)}x over the baseline`;
  const genome = entry.genome;
  if (isSourceGenome(genome)) {
    const text = genome.text.length > SOURCE_CHARS ? `${genome.text.slice(0, SOURCE_CHARS)}\n... (truncated)` : genome.text;
    return `genome ${entry.hash} (${genome.language} source), ${outcome}:\n\`\`\`${genome.language}\n${text}\n\`\`\``;
  }
  return `genome ${entry.hash}, ${outcome}: ${JSON.stringify(genome)}`;
}

function outputContract(prompt: PromptGenome, ctx: PromptContext): string {
  if (prompt.task === 'edit') {
    const schema = JSON.stringify(z.toJSONSchema(ctx.genomeSchema, { unrepresentable: 'any', io: 'input' }));
    return [
      `Reply with JSON {"parent": "<hash of the exemplar genome you edit, or none>", "changes": {<gene>: <value>, ...}, "rationale": "..."}.`,
      `The edited genome must be a ${ctx.spaceName} genome and must not repeat a genome shown above. Genome schema: ${schema}`,
    ].join('\n');
  }
  const language = ctx.backend === 'wasm' ? 'WAT (WebAssembly text)' : 'WGSL';
  const tile = ctx.backend === 'webgpu' ? ', "tile": {"rows": R, "cols": C}' : '';
  return `Reply with JSON {"source": "<the whole ${language} module>"${tile}, "rationale": "..."}. The source must obey the ABI exactly. JavaScript is never run: only ${language}.`;
}
