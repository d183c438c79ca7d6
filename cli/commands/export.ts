import type { Command } from 'commander';
import { z } from 'zod';
import { exportKernel } from '../../export/index.ts';
import { addCommonOptions, CommonFlags, parseFlags } from '../options.ts';
import { printJson } from '../output.ts';
import { withStore } from '../store.ts';

const ExportFlags = z.object({ ...CommonFlags, out: z.string({ error: 'required: the directory to write into' }).min(1) });

export function registerExport(program: Command): void {
  addCommonOptions(
    program
      .command('export')
      .description('write a kernel (source, binary, meta.json and an ES module that loads it) into a directory')
      .argument('<kernel-id>', 'kernel id (or unique prefix) from `kevo best`')
      .requiredOption('--out <dir>', 'directory to write into'),
  ).action(async (kernelId: string, options: Record<string, unknown>) => {
    const flags = parseFlags(ExportFlags, options);
    const files = await withStore(flags.db, (store) => exportKernel(store, kernelId, flags.out));
    if (flags.json) printJson({ kernelId, out: flags.out, files });
    else process.stdout.write(`wrote ${files.join(', ')} to ${flags.out}\n`);
  });
}
