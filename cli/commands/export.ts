import type { Command } from 'commander';
import { z } from 'zod';
import { exportKernel } from '../../export/index.ts';
import { addCommonOptions, CommonFlags, parseFlags } from '../options.ts';
import { printJson } from '../output.ts';
import { KevoError } from '../../lib/errors.ts';
import { reverify, storedKernel } from '../reverified.ts';
import { withStore } from '../store.ts';
import { HARNESS_VERSION } from '../../verifiers/version.ts';

const ExportFlags = z.object({ ...CommonFlags, out: z.string({ error: 'required: the directory to write into' }).min(1), anyHarness: z.boolean().optional() });

export function registerExport(program: Command): void {
  addCommonOptions(
    program
      .command('export')
      .description('write a kernel (source, binary, meta.json and an ES module that loads it) into a directory')
      .argument('<kernel-id>', 'kernel id (or unique prefix) from `kevo best`')
      .requiredOption('--out <dir>', 'directory to write into')
      .option('--any-harness', 'also a kernel only an older verifier harness passed (see kevo reverify)'),
  ).action(async (kernelId: string, options: Record<string, unknown>) => {
    const flags = parseFlags(ExportFlags, options);
    const found = withStore(flags.db, (store) => {
      const kernel = store.resolveKernel(kernelId);
      if (!kernel.evaluation) throw new KevoError('NOT_FOUND', `kernel ${kernel.id} has no evaluation to export`);
      const judged = kernel.evaluation.harnessVersion;
      if (judged !== HARNESS_VERSION && !flags.anyHarness) {
        throw new KevoError('FAILURE', `kernel ${kernel.id} was verified by harness ${judged}, not the current ${HARNESS_VERSION}: run kevo reverify, or pass --any-harness`);
      }
      return { id: kernel.id, stored: storedKernel(store, { kernelId: kernel.id, problem: kernel.evaluation.problem, genome: kernel.evaluation.genome }) };
    });
    // Nothing is written for a kernel whose stored text fails the harness here: a worker may have lied about it.
    const verdict = await reverify(found.stored);
    if (!verdict.ok) throw new KevoError('FAILURE', `kernel ${found.id} failed re-verification (${verdict.reason}): not exported`);
    const files = await withStore(flags.db, (store) => exportKernel(store, found.id, flags.out));
    if (flags.json) printJson({ kernelId, out: flags.out, files });
    else process.stdout.write(`wrote ${files.join(', ')} to ${flags.out}\n`);
  });
}
