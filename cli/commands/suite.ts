import type { Command } from 'commander';
import { z } from 'zod';
import { MAX_EVALUATIONS } from '../../coordinator/spec.ts';
import { planSuite } from '../../coordinator/suite/plan.ts';
import { compareReports, FAST_P, suiteReport, type CategoryReport, type SuiteReport } from '../../coordinator/suite/report.ts';
import { createSuiteRun, runSuite } from '../../coordinator/suite/run.ts';
import { DEFAULT_SUITE_PATH, loadSuiteFile } from '../../coordinator/suite/suite-file.ts';
import { damaged } from '../../coordinator/store/open.ts';
import { getSuite, listSuites, suiteStatus, suiteTasks } from '../../coordinator/store/suites.ts';
import { Store } from '../../coordinator/store/store.ts';
import { createLogger } from '../../lib/log.ts';
import { quote } from '../../lib/quote.ts';
import { withLlmEndpoint } from '../llm-flags.ts';
import { addNatsOptions } from '../nats.ts';
import { addCommonOptions, CommonFlags, intFlag, parseFlags } from '../options.ts';
import { fixed, printJson, table } from '../output.ts';
import { progressBar } from '../progress.ts';
import { onInterrupt } from '../session.ts';
import { openExistingStore, withStore } from '../store.ts';
import { openTransport, type TransportFlags } from '../transport.ts';
import { addSearchOptions, SearchFlags, searchSpec, SPEC_FLAGS } from './run.ts';

const SuiteRunFlags = withLlmEndpoint(z.object({ ...SearchFlags, budget: intFlag(1, MAX_EVALUATIONS).optional() }));
const Flags = z.object(CommonFlags);

export function registerSuite(program: Command): void {
  const suite = program.command('suite').description('run task suites; report correctness and fast_p per category');

  const run = addCommonOptions(
    suite
      .command('run')
      .description('every task of a suite as a campaign, then its report')
      .argument('[file]', 'suite JSON (default: the suite shipped with kevo)')
      .option('--budget <n>', "candidates per task, in place of each task's own budget"),
  );
  addNatsOptions(addSearchOptions(run)).action(async (file: string | undefined, options: Record<string, unknown>) => {
    const flags = parseFlags(SuiteRunFlags, options);
    const path = file ?? DEFAULT_SUITE_PATH;
    const suiteFile = loadSuiteFile(path);
    const { db, ...shared } = searchSpec(flags);
    const tasks = planSuite(suiteFile, { ...shared, db, evaluations: flags.budget }, `suite ${quote(path)}`, (p) => SPEC_FLAGS[p]);
    const store = Store.open(db);
    let id: string;
    try {
      id = createSuiteRun(store, suiteFile, tasks, { file: path, ...shared, evaluations: flags.budget });
    } catch (error) {
      store.close();
      throw damaged(db, error) ?? error;
    }
    process.exitCode = await suiteSession(store, id, flags, options);
  });

  addNatsOptions(
    addCommonOptions(suite.command('resume').description("finish a stopped suite's unfinished tasks; finished ones are not run again").argument('<id>', 'suite id')),
  ).action(async (id: string, options: Record<string, unknown>) => {
    const flags = parseFlags(Flags, options);
    const store = openExistingStore(flags.db);
    try {
      getSuite(store, id);
    } catch (error) {
      store.close();
      throw error;
    }
    process.exitCode = await suiteSession(store, id, flags, options);
  });

  addCommonOptions(suite.command('report').description('per category: tasks, correctness, fast_p, geometric-mean speedup').argument('<id>', 'suite id')).action(
    (id: string, options: Record<string, unknown>) => {
      const flags = parseFlags(Flags, options);
      withStore(flags.db, (store) => printReport(suiteReport(store, id), flags.json === true));
    },
  );

  addCommonOptions(suite.command('compare').description('two suite reports side by side, per category, with deltas').argument('<a>', 'suite id').argument('<b>', 'suite id')).action(
    (a: string, b: string, options: Record<string, unknown>) => {
      const flags = parseFlags(Flags, options);
      withStore(flags.db, (store) => {
        const comparison = compareReports(suiteReport(store, a), suiteReport(store, b));
        if (flags.json) return printJson(comparison);
        const rows = [...comparison.categories, comparison.overall].map((c) => [c.category, ...compareCells(c.a, c.b)]);
        process.stdout.write(`a: ${comparison.a.id} (${comparison.a.name})\nb: ${comparison.b.id} (${comparison.b.name})\n\n${table(HEADERS, rows)}\n`);
      });
    },
  );

  addCommonOptions(suite.command('list').description('suites, newest first')).action((options: Record<string, unknown>) => {
    const flags = parseFlags(Flags, options);
    withStore(flags.db, (store) => {
      const rows = listSuites(store).map((s) => {
        const tasks = suiteTasks(store, s.id);
        return { id: s.id, name: s.name, status: suiteStatus(tasks), tasks: tasks.length, done: tasks.filter((t) => t.status === 'done').length, createdAt: s.createdAt };
      });
      if (flags.json) return printJson(rows);
      process.stdout.write(`${table(['id', 'name', 'status', 'tasks done', 'created'], rows.map((r) => [r.id, r.name, r.status, `${r.done}/${r.tasks}`, r.createdAt]))}\n`);
    });
  });
}

/** Runs the suite's unfinished tasks with a progress line per task and Ctrl-C handling, then prints its report. */
async function suiteSession(store: Store, id: string, flags: z.infer<typeof Flags>, transport: TransportFlags): Promise<number> {
  const log = createLogger(flags.logLevel);
  const interrupt = onInterrupt(log, `resume with \`kevo suite resume ${id}\``);
  let bar = progressBar();
  try {
    if (!flags.json) process.stderr.write(`suite ${id}\n`);
    const status = await runSuite(id, {
      store,
      log,
      signal: interrupt.signal,
      openTransport: (spec, campaignId) =>
        openTransport(transport, { backend: spec.backend, threads: spec.threads, relaxedSimd: spec.relaxedSimd, campaignId, llm: spec.llm }, log),
      onTask: (task, position, total) => {
        bar.end();
        bar = progressBar();
        if (!flags.json) process.stderr.write(`task ${position + 1}/${total} ${task.category} / ${task.name}: campaign ${task.campaignId}\n`);
      },
      onProgress: (p) => bar.update(p),
    });
    bar.end();
    printReport(suiteReport(store, id), flags.json === true);
    if (status === 'stopped') process.stderr.write(`suite ${id} stopped; resume with \`kevo suite resume ${id}\`\n`);
    return status === 'done' ? 0 : 130;
  } catch (error) {
    throw damaged(flags.db, error) ?? error;
  } finally {
    bar.end();
    interrupt.release();
    store.close();
  }
}

const HEADERS = ['category', 'tasks', 'correct', ...FAST_P.map((p) => `fast_${p}`), 'geomean'];
const pct = (share: number) => `${Math.round(share * 100)}%`;
const times = (value: number | null) => (value === null ? '-' : `${fixed(value)}x`);

function printReport(report: SuiteReport, json: boolean): void {
  if (json) return printJson(report);
  const row = (c: CategoryReport) => [c.category, c.tasks, `${c.correct} (${pct(c.correctness)})`, ...FAST_P.map((p) => pct(c.fastP[String(p)]!)), times(c.geomeanSpeedup)];
  process.stdout.write(
    `suite ${report.id} (${report.name}) ${report.status}: ${report.overall.tasks} tasks in ${report.categories.length} categories\n` +
      `${table(HEADERS, [...report.categories.map(row), row(report.overall)])}\n` +
      'fast_p: share of tasks whose best verified kernel is more than p times the baseline; geomean over correct tasks only\n',
  );
}

/** "a -> b (delta)" per column; a side that lacks the category shows "-". */
function compareCells(a: CategoryReport | undefined, b: CategoryReport | undefined): string[] {
  const cell = (x: string | undefined, y: string | undefined, delta: string) => `${x ?? '-'} -> ${y ?? '-'}${a && b ? ` (${delta})` : ''}`;
  const points = (x: number, y: number) => `${y >= x ? '+' : ''}${Math.round((y - x) * 100)}`;
  const rate = (get: (c: CategoryReport) => number) => cell(a && pct(get(a)), b && pct(get(b)), a && b ? points(get(a), get(b)) : '');
  const ratio = a?.geomeanSpeedup && b?.geomeanSpeedup ? `x${fixed(b.geomeanSpeedup / a.geomeanSpeedup)}` : '-';
  return [
    cell(a && String(a.tasks), b && String(b.tasks), b && a ? `${b.tasks - a.tasks >= 0 ? '+' : ''}${b.tasks - a.tasks}` : ''),
    rate((c) => c.correctness),
    ...FAST_P.map((p) => rate((c) => c.fastP[String(p)]!)),
    cell(a && times(a.geomeanSpeedup), b && times(b.geomeanSpeedup), ratio),
  ];
}
