import type { Command } from 'commander';
import { z } from 'zod';
import { listPrompts, showPrompt } from '../../coordinator/store/llm.ts';
import { addCommonOptions, CommonFlags, parseFlags } from '../options.ts';
import { fixed, printJson, table } from '../output.ts';
import { withStore } from '../store.ts';

const Flags = z.object(CommonFlags);

export function registerPrompts(program: Command): void {
  const prompts = program.command('prompts').description('the evolved LLM prompts: lineage and scores');

  addCommonOptions(prompts.command('list').description('every prompt, best first')).action((options: Record<string, unknown>) => {
    const flags = parseFlags(Flags, options);
    withStore(flags.db, (store) => {
      const rows = listPrompts(store);
      if (flags.json) return printJson(rows);
      if (rows.length === 0) return void process.stdout.write('no prompts yet: run a campaign with --llm-base-url\n');
      process.stdout.write(
        `${table(
          ['prompt', 'task', 'operator', 'gen', 'parents', 'proposals', 'valid', 'best speedup'],
          rows.map((p) => [p.id, p.task, p.operator, p.generation, p.parents.map((id) => id.slice(0, 8)).join(',') || '-', p.proposals, `${(p.validityRate * 100).toFixed(0)}%`, fixed(p.bestSpeedup)]),
        )}\n`,
      );
    });
  });

  addCommonOptions(prompts.command('show').description('one prompt: sections, lineage, scores per campaign').argument('<id>', 'prompt id or unique prefix')).action(
    (id: string, options: Record<string, unknown>) => {
      const flags = parseFlags(Flags, options);
      withStore(flags.db, (store) => {
        const prompt = showPrompt(store, id);
        if (flags.json) return printJson(prompt);
        const lines = [
          `prompt ${prompt.id} (${prompt.task}, ${prompt.operator}, generation ${prompt.generation})`,
          `parents: ${prompt.parents.join(', ') || '-'}   children: ${prompt.children.join(', ') || '-'}`,
          `proposals ${prompt.proposals}, valid ${prompt.valid} (${(prompt.validityRate * 100).toFixed(0)}%), best speedup ${fixed(prompt.bestSpeedup)}`,
          '',
          JSON.stringify(prompt.genome, null, 2),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      });
    },
  );
}
