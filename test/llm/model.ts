import type { Genome } from '../../genome/genome.ts';
import type { SearchSpace } from '../../genome/space.ts';
import { Rng } from '../../lib/rng.ts';
import { json, type Script, type ScriptedReply } from '../../testkit/llm-server.ts';

export interface ModelBehaviour {
  /** Sources it writes, in turn. */
  readonly sources: readonly string[];
  /** Every how many edit requests a reply breaks the schema or is not JSON (0: never). */
  readonly badEvery?: number;
  /** The review verdict for a source. */
  readonly review?: (source: string) => 'pass' | 'fail' | 'unsure';
}

/**
 * A scripted model answering by the response_format name the client sent:
 * genome edits drawn from the real space, sources from a list, prompts
 * rewritten with a marker, reviews by rule. Deterministic per request order.
 */
/** In turn: not JSON, JSON that breaks the reply schema, a reply whose edit no genome of the space satisfies. */
const badEdits: ScriptedReply[] = [
  { content: 'I would try a bigger tile.' },
  json({ edit: 'mr=8' }),
  json({ parent: 'none', changes: { mr: 'big' } }),
];

export function scriptedModel(space: SearchSpace<Genome>, behaviour: ModelBehaviour): Script {
  const rng = new Rng(99);
  const counts = new Map<string, number>();
  return (request) => {
    const kind = request.body.response_format?.json_schema?.name ?? 'none';
    const count = counts.get(kind) ?? 0;
    counts.set(kind, count + 1);
    const bad = behaviour.badEvery ? count % behaviour.badEvery === behaviour.badEvery - 1 : false;
    const replies: Record<string, () => ScriptedReply> = {
      genome_edit: () =>
        bad ? badEdits[Math.floor(count / behaviour.badEvery!) % badEdits.length]! : json({ parent: 'none', changes: space.sample(rng), rationale: 'try this' }),
      kernel_source: () => json({ source: behaviour.sources[count % behaviour.sources.length], rationale: 'naive but right' }),
      prompt: () => {
        const user = request.body.messages.at(-1)!.content;
        const role = /"role": "([^"]*)"/.exec(user)?.[1] ?? 'role';
        return json({
          role: `${role} (rewritten ${count})`,
          guidance: 'Change one gene at a time.',
          playbook: ['Prefer fewer live vectors.', `Lesson ${count}.`],
          exemplars: { best: 2, diverse: 1, failed: 1 },
        });
      },
      review: () => {
        const source = /```\n([\s\S]*)\n```/.exec(request.body.messages.at(-1)!.content)?.[1] ?? '';
        const verdict = behaviour.review?.(source) ?? 'pass';
        return json({ verdict, reasons: [verdict === 'fail' ? 'a loop without an exit' : 'looks right'], ...(verdict === 'fail' ? { suspectedLoophole: 'never returns' } : {}) });
      },
    };
    return (replies[kind] ?? (() => ({ status: 400 })))();
  };
}
