import type { Command } from 'commander';
import { z } from 'zod';
import { loadSpecFile, parseSpec } from '../../coordinator/spec.ts';
import { sortBest } from '../../coordinator/store/best.ts';
import type { CampaignRow } from '../../coordinator/store/store.ts';
import { llmCampaignSummary } from '../../coordinator/store/llm.ts';
import { KevoError } from '../../lib/errors.ts';
import { quote } from '../../lib/quote.ts';
import { addNatsOptions } from '../nats.ts';
import { openExistingStore, withStore } from '../store.ts';
import { addCommonOptions, CommonFlags, parseFlags } from '../options.ts';
import { fixed, printJson, table } from '../output.ts';
import { describeGenome, runSession } from '../session.ts';

const Flags = z.object(CommonFlags);

export function registerCampaign(program: Command): void {
  const campaign = program.command('campaign').description('start, resume and inspect campaigns');

  addNatsOptions(
    addCommonOptions(
      campaign
        .command('start')
        .description('start a campaign from a JSON spec file (its "db" field, unless --db is given)')
        .argument('<spec>', 'path to the spec JSON'),
    ),
  ).action(async (path: string, options: Record<string, unknown>, command: Command) => {
    const flags = parseFlags(Flags, options);
    const fromFile = loadSpecFile(path);
    // --db given on the command line wins over the spec's own db field.
    const spec = command.getOptionValueSource('db') === 'cli' ? parseSpec({ ...fromFile, db: flags.db }) : fromFile;
    process.exitCode = await runSession({ spec, flags, transport: options });
  });

  addNatsOptions(
    addCommonOptions(
      campaign
        .command('resume')
        .description('go on with a stopped campaign; finished evaluations are not repeated')
        .argument('<id>', 'campaign id'),
    ),
  ).action(async (id: string, options: Record<string, unknown>) => {
    const flags = parseFlags(Flags, options);
    const store = openExistingStore(flags.db);
    const row = store.campaign(id);
    if (!row) {
      store.close();
      throw new KevoError('NOT_FOUND', `no campaign ${quote(id)} in ${flags.db}`);
    }
    const spec = parseSpec({ ...(row.spec as object), db: flags.db }, `campaign ${id} spec`);
    process.exitCode = await runSession({ spec, resumeId: id, flags, transport: options, store });
  });

  addCommonOptions(campaign.command('list').description('campaigns, newest first')).action((options: Record<string, unknown>) => {
    const flags = parseFlags(z.object(CommonFlags), options);
    withStore(flags.db, (store) => {
      const rows = store.campaigns();
      if (flags.json) return printJson(rows.map(summary));
      process.stdout.write(
        `${table(
          ['id', 'name', 'status', 'strategy', 'evaluations', 'failures', 'best GFLOP/s', 'best speedup'],
          rows.map((c) => [c.id, c.name, c.status, c.strategy, c.evaluations, c.failures, fixed(c.bestGflops, 1), fixed(c.bestSpeedup)]),
        )}\n`,
      );
    });
  });

  addCommonOptions(campaign.command('show').description('one campaign: spec, progress, best kernels').argument('<id>', 'campaign id')).action(
    (id: string, options: Record<string, unknown>) => {
      const flags = parseFlags(z.object(CommonFlags), options);
      withStore(flags.db, (store) => {
        const row = store.campaign(id);
        if (!row) throw new KevoError('NOT_FOUND', `no campaign ${quote(id)} in ${flags.db}`);
        const evaluations = store.evaluations(id);
        const byStatus = Object.fromEntries(
          [...new Set(evaluations.map((e) => e.status))].map((s) => [s, evaluations.filter((e) => e.status === s).length]),
        );
        const top = sortBest(evaluations.filter((e) => e.status === 'ok')).slice(0, 5);
        const llm = (row.spec as { llm?: unknown }).llm ? llmCampaignSummary(store, id) : undefined;
        if (flags.json) return printJson({ ...summary(row), spec: row.spec, checkpoint: row.checkpoint, byStatus, top, llm });
        const lines = [
          `campaign ${row.id} (${row.name}) ${row.status}, strategy ${row.strategy}, device ${row.deviceClassId ?? '-'}`,
          `evaluations ${row.evaluations}: ${Object.entries(byStatus).map(([s, n]) => `${s} ${n}`).join(', ') || 'none'}`,
          ...(llm ? llmLines(llm) : []),
          '',
          top.length === 0
            ? 'no verified kernel yet'
            : table(
                ['kernel', 'GFLOP/s', 'speedup', 'median ms', 'genome'],
                top.map((e) => [e.kernelId ?? '-', fixed(e.timing.gflops, 1), `${fixed(e.timing.speedup)}x`, fixed(e.timing.medianMs, 3), describeGenome(e.genome)]),
              ),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      });
    },
  );
}

function summary(c: CampaignRow) {
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    strategy: c.strategy,
    deviceClassId: c.deviceClassId,
    evaluations: c.evaluations,
    failures: c.failures,
    bestGflops: c.bestGflops,
    bestSpeedup: c.bestSpeedup,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}


function llmLines({ usage, failures, agreement }: ReturnType<typeof llmCampaignSummary>): string[] {
  const pct = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(0)}%`);
  return [
    `llm: ${usage.calls} calls (${usage.cacheHits} cached, ${usage.retries} retries, ${usage.failures} failed), ${usage.promptTokens + usage.completionTokens} tokens, $${usage.cost.toFixed(4)}`,
    ...(failures.length > 0 ? [`llm failures: ${failures.map((f) => `${f.failure} ${f.count}`).join(', ')}`] : []),
    `llm reviewer vs harness: ${agreement.reviewed} reviewed (${agreement.unsure} unsure), precision ${pct(agreement.precision)}, recall ${pct(agreement.recall)}, accuracy ${pct(agreement.accuracy)}`,
  ];
}
