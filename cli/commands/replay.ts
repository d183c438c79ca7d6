import type { Command } from 'commander';
import { z } from 'zod';
import { bestOf, replay, summarizeTraces } from '../../coordinator/replay.ts';
import { storedTable } from '../../coordinator/stored-table.ts';
import { strategyNames, type StrategyName } from '../../coordinator/strategies/index.ts';
import { addCommonOptions, CommonFlags, intFlag, parseFlags } from '../options.ts';
import { fixed, printJson, table } from '../output.ts';
import { withStore } from '../store.ts';

/** "Near the best": what evaluations-to-reach counts to. */
const WITHIN = 0.95;
/** Where the table reads each curve, as fractions of the budget. */
const CHECKPOINTS = [0.1, 0.25, 0.5, 1];

const StrategyList = z
  .string()
  .transform((text) => text.split(',').map((s) => s.trim()))
  .pipe(z.array(z.enum(strategyNames as [StrategyName, ...StrategyName[]], { error: `expected a comma-separated list of ${strategyNames.join(', ')}` })).min(1));

const ReplayFlags = z.object({
  ...CommonFlags,
  campaign: z.string().min(1),
  strategy: StrategyList,
  seeds: intFlag(1, 10_000),
  budget: intFlag(1, 1_000_000).optional(),
  population: intFlag(2, 10_000).optional(),
  shape: z.string().min(1).optional(),
  device: z.string().min(1).optional(),
});

export function registerReplay(program: Command): void {
  addCommonOptions(
    program
      .command('replay')
      .description(
        "replay strategies against a campaign's stored timings (nothing runs; a genome it never timed counts as a failure): best found against evaluations",
      )
      .requiredOption('--campaign <id>', 'the campaign whose evaluations form the table')
      .option('--strategy <names>', `comma-separated: ${strategyNames.join(', ')}`, strategyNames.join(','))
      .option('--seeds <n>', 'seeds 1..n per strategy', '30')
      .option('--budget <n>', 'evaluations per replay, misses included (default: the number of genomes in the table)')
      .option('--population <n>', "genomes asked per generation (default: the campaign's)")
      .option('--shape <MxNxK>', 'which problem, when the campaign has several')
      .option('--device <id>', 'which device class (id or prefix), when its evaluations span several'),
  ).action(async (options: Record<string, unknown>) => {
    const flags = parseFlags(ReplayFlags, options);
    const stored = withStore(flags.db, (store) => storedTable(store, flags));
    const top = bestOf(stored.table);
    const budget = flags.budget ?? stored.table.genomes.length;
    const population = flags.population ?? stored.population;
    const seeds = Array.from({ length: flags.seeds }, (_, i) => i + 1);
    const checkpoints = [...new Set(CHECKPOINTS.map((f) => Math.max(1, Math.round(f * budget))))];
    const strategies = [];
    for (const name of flags.strategy) {
      const traces = [];
      for (const seed of seeds) traces.push(await replay(name, stored.space, stored.table, { seed, budget, population }));
      strategies.push({ strategy: name, ...summarizeTraces(traces, top, checkpoints, WITHIN), traces });
    }
    const failed = [...stored.table.fitness.values()].filter((f) => f === null).length;
    if (flags.json) {
      return printJson({
        campaign: flags.campaign,
        problem: stored.problem,
        deviceClass: stored.deviceId,
        genomes: stored.table.genomes.length,
        failed,
        best: top,
        budget,
        population,
        seeds,
        within: WITHIN,
        strategies,
      });
    }
    process.stdout.write(
      `${stored.table.genomes.length} genomes stored (${failed} failed), best ${fixed(top)}x; ${seeds.length} seeds, budget ${budget}, population ${population}\n` +
        `median best found / stored best, and evaluations to ${WITHIN * 100}% of it:\n` +
        `${table(
          ['strategy', ...checkpoints.map((n) => `@${n}`), `to ${WITHIN * 100}%`],
          strategies.map((s) => [s.strategy, ...s.fractions.map((f) => fixed(f.median, 3)), s.evaluationsToReach ?? 'never']),
        )}\n`,
    );
  });
}
