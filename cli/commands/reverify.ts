import type { Command } from 'commander';
import { z } from 'zod';
import { problemFrom } from '../../genome/ops/index.ts';
import { HARNESS_VERSION } from '../../verifiers/version.ts';
import { Reverifier } from '../../worker/reverify.ts';
import { addCommonOptions, CommonFlags, epilogueFlag, parseFlags } from '../options.ts';
import { printJson } from '../output.ts';
import { storedKernel } from '../reverified.ts';
import { openExistingStore } from '../store.ts';

const ReverifyFlags = z
  .object({
    ...CommonFlags,
    campaign: z.string().min(1).optional(),
    problem: z.string().min(1).optional(),
    shape: z.string().optional(),
    epilogue: epilogueFlag,
    dtype: z.string().optional(),
    all: z.boolean().optional(),
  })
  .refine((f) => [f.campaign, f.problem, f.all].filter((x) => x !== undefined).length === 1, { error: 'give one of --campaign, --problem or --all', path: ['all'] })
  .refine((f) => (f.problem === undefined) === (f.shape === undefined), { error: '--problem and --shape go together', path: ['shape'] });

export function registerReverify(program: Command): void {
  addCommonOptions(
    program
      .command('reverify')
      .description(`run the current verifier harness (version ${HARNESS_VERSION}) again on stored kernels an older one passed; those that now fail are no longer ranked`)
      .option('--campaign <id>', "the kernels of this campaign")
      .option('--problem <op>', 'the kernels for this op (with --shape)')
      .option('--shape <MxNxK>', 'problem shape, with --problem')
      .option('--epilogue <stages>', "the problem's epilogue, with --problem")
      .option('--dtype <scheme>', "the problem's dtype scheme (f32 when absent), with --problem")
      .option('--all', 'every stored kernel'),
  ).action(async (options: Record<string, unknown>) => {
    const flags = parseFlags(ReverifyFlags, options);
    const fields = { ...(flags.epilogue ? { epilogue: flags.epilogue } : {}), ...(flags.dtype ? { dtype: flags.dtype } : {}) };
    const problem = flags.problem ? problemFrom(flags.problem, flags.shape!, fields) : undefined;
    const store = openExistingStore(flags.db);
    try {
      const stale = store.staleKernels({ ...(flags.campaign ? { campaignId: flags.campaign } : {}), ...(problem ? { problem } : {}) });
      const targets = stale.map((row) => ({ row, stored: storedKernel(store, row) }));
      const reverifier = new Reverifier();
      const verdicts = [];
      try {
        for (const { row, stored } of targets) {
          const verdict = await reverifier.check(stored);
          // Marked as each verdict comes, so an interrupted run keeps what it judged.
          store.markReverified(row.kernelId, row.problem, verdict);
          verdicts.push({ kernelId: row.kernelId, problem: row.problem, from: row.harnessVersion, ...verdict });
          if (!flags.json) process.stdout.write(verdict.ok ? `kernel ${row.kernelId}: passes harness ${HARNESS_VERSION}\n` : `kernel ${row.kernelId}: now fails (${verdict.reason}): no longer ranked\n`);
        }
      } finally {
        await reverifier.close();
      }
      if (flags.json) return printJson({ harnessVersion: HARNESS_VERSION, kernels: verdicts });
      if (verdicts.length === 0) process.stdout.write(`every kernel selected was judged by harness ${HARNESS_VERSION} already\n`);
      else process.stdout.write(`${verdicts.filter((v) => !v.ok).length} of ${verdicts.length} now fail\n`);
    } finally {
      store.close();
    }
  });
}
