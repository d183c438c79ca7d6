import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { z } from 'zod';
import { JobAnswers } from '../../coordinator/answers.ts';
import { portabilityReport, type PortabilityReport } from '../../coordinator/portability.ts';
import { acceptPromotion, promoteJob, retimings } from '../../coordinator/promotion.ts';
import { PromotionStore, type PromotionRecord } from '../../coordinator/store/promotions.ts';
import type { Store } from '../../coordinator/store/store.ts';
import { genomeHash, type Backend, type Genome } from '../../genome/genome.ts';
import { problemFrom, type Problem } from '../../genome/ops/index.ts';
import { KevoError } from '../../lib/errors.ts';
import { createLogger, type Logger } from '../../lib/log.ts';
import type { DeviceClass } from '../../protocol/device.ts';
import { Budgets, type PromoteJob } from '../../protocol/job.ts';
import type { PromoteResult } from '../../protocol/result.ts';
import { HARNESS_VERSION } from '../../verifiers/version.ts';
import { Evaluator } from '../../worker/evaluator.ts';
import { addNatsOptions, openNatsTransport, wantsNats } from '../nats.ts';
import { addCommonOptions, CommonFlags, epilogueFlag, intFlag, parseFlags } from '../options.ts';
import { fixed, printJson, table } from '../output.ts';
import { openExistingStore } from '../store.ts';

const PortabilityFlags = z
  .object({
    ...CommonFlags,
    problem: z.string().min(1).optional(),
    shape: z.string().optional(),
    epilogue: epilogueFlag,
    top: intFlag(1, 16),
    rounds: intFlag(1, 100),
    timingMs: intFlag(1, 600_000),
  })
  .refine((f) => (f.problem === undefined) === (f.shape === undefined), { error: '--problem and --shape go together', path: ['shape'] });

/** A device class that can time promote jobs: a local pool, or the live NATS workers of that class. */
interface ClassRunner {
  readonly deviceClass: DeviceClass;
  run(job: PromoteJob): Promise<PromoteResult | undefined>;
}

export function registerPortability(program: Command): void {
  const command = addCommonOptions(
    program
      .command('portability')
      .description('time the same kernels on every live device class: each class\'s speedups, who wins where, and the rank correlation between classes')
      .argument('[kernel]', 'a stored kernel id (or prefix)')
      .option('--problem <op>', 'instead of one kernel: the best kernels for this op (with --shape)')
      .option('--shape <MxNxK>', 'problem shape, with --problem')
      .option('--epilogue <stages>', "the problem's epilogue, with --problem")
      .option('--top <n>', 'with --problem: how many of its best kernels', '5')
      .option('--rounds <n>', 'rounds per device class, each kernel timed once a round', '5')
      .option('--timing-ms <ms>', 'timing budget of one kernel in one round', '100'),
  );
  addNatsOptions(command).action(async (kernelId: string | undefined, options: Record<string, unknown>) => {
    const flags = parseFlags(PortabilityFlags, options);
    if ((kernelId === undefined) === (flags.problem === undefined)) throw new KevoError('BAD_INPUT', '--problem: give a kernel id or --problem with --shape, not both');
    const log = createLogger(flags.logLevel);
    const store = openExistingStore(flags.db);
    try {
      const { problem, genomes } = selection(store, kernelId, flags);
      const backends = [...new Set(genomes.map((g) => g.backend))];
      const runners = await openRunners(options, backends, log);
      const records: PromotionRecord[] = [];
      try {
        for (const runner of runners.list) {
          const mine = genomes.filter((g) => g.backend === runner.deviceClass.facts.backend);
          if (mine.length === 0) continue;
          const budgets = Budgets.parse({ timingMs: flags.timingMs });
          const job = promoteJob({ nonce: randomBytes(6).toString('hex'), campaignId: runners.campaignId, problem, genomes: mine, rounds: flags.rounds, seed: 1, budgets, deviceClassId: runner.deviceClass.id });
          const result = await runner.run(job);
          if (!result) {
            process.stderr.write(`kevo: device class ${runner.deviceClass.id.slice(0, 8)} (${runner.deviceClass.label}): no accepted answer; left out\n`);
            continue;
          }
          for (const k of retimings(result, job.seed)) {
            records.push({ kind: 'portability', jobId: job.jobId, problem, genomeHash: k.genomeHash, deviceClass: result.deviceClass ?? runner.deviceClass, worker: result.worker, elsewhere: false, status: k.status, ratios: k.ratios, ...(k.interval ? { interval: k.interval } : {}) });
          }
        }
      } finally {
        await runners.close();
      }
      new PromotionStore(store).record(records);
      const report = portabilityReport(records);
      if (flags.json) return printJson({ problem, kernels: genomes.map((g) => ({ genomeHash: genomeHash(g), genome: g })), ...report });
      process.stdout.write(describe(report));
    } finally {
      store.close();
    }
  });
}

/** The genomes to time: one stored kernel's, or the problem's best (current harness), one per genome. */
function selection(store: Store, kernelId: string | undefined, flags: z.infer<typeof PortabilityFlags>): { problem: Problem; genomes: Genome[] } {
  if (kernelId !== undefined) {
    const evaluation = store.resolveKernel(kernelId).evaluation;
    if (!evaluation) throw new KevoError('NOT_FOUND', `kernel ${kernelId} has no evaluation to take its genome from`);
    return { problem: evaluation.problem, genomes: [evaluation.genome] };
  }
  const problem = problemFrom(flags.problem!, flags.shape!, flags.epilogue ? { epilogue: flags.epilogue } : {});
  const genomes = new Map<string, Genome>();
  for (const row of store.best(problem, { limit: 1_000, harnessVersion: HARNESS_VERSION })) {
    if (genomes.size < flags.top) genomes.set(row.genomeHash, row.genome);
  }
  if (genomes.size === 0) throw new KevoError('NOT_FOUND', `no verified kernel for ${flags.problem} ${flags.shape} yet`);
  return { problem, genomes: [...genomes.values()] };
}

/**
 * Over NATS: every device class a live worker advertises, each timed by its
 * own workers (answers accepted as in a campaign). Embedded: this machine's
 * class for each backend the kernels need.
 */
async function openRunners(options: Record<string, unknown>, backends: readonly Backend[], log: Logger): Promise<{ campaignId: string; list: ClassRunner[]; close(): Promise<void> }> {
  const campaignId = `portability-${randomBytes(4).toString('hex')}`;
  if (wantsNats(options)) {
    const answers = new JobAnswers(await openNatsTransport(options, campaignId, log), log);
    const classes = new Map<string, DeviceClass>();
    for (const worker of await answers.workers()) for (const d of worker.deviceClasses) if (backends.includes(d.facts.backend)) classes.set(d.id, d);
    const list = [...classes.values()].map((deviceClass) => ({
      deviceClass,
      run: async (job: PromoteJob) => {
        const result = await answers.ask(job, job.rounds * job.genomes.length * job.budgets.deadlineMs + 60_000);
        return result.kind === 'promote' ? acceptPromotion(result, job, (w) => answers.isLive(w), log) : undefined;
      },
    }));
    return { campaignId, list, close: () => answers.close() };
  }
  // Relaxed SIMD is a V8 flag for the whole process: here, one class per backend; a second wasm class needs a second process.
  const evaluators: Evaluator[] = [];
  const list: ClassRunner[] = [];
  try {
    for (const backend of backends) {
      const evaluator = await Evaluator.create({ threads: 1, backends: [backend], relaxedSimd: true, name: `portability-${backend}`, log });
      evaluators.push(evaluator);
      const [deviceClass] = await evaluator.deviceClasses();
      list.push({ deviceClass: deviceClass!, run: (job) => evaluator.evaluate(job) });
    }
  } catch (error) {
    await Promise.all(evaluators.map((e) => e.close()));
    throw error;
  }
  return { campaignId, list, close: async () => void (await Promise.all(evaluators.map((e) => e.close()))) };
}

function describe(report: PortabilityReport): string {
  const lines: string[] = [];
  for (const c of report.classes) {
    lines.push(`${c.id.slice(0, 8)} ${c.label}: ${c.winner ? `fastest ${c.winner}` : 'no kernel verified'}`);
    lines.push(table(['genome', 'speedup', '95% CI', 'status'], c.kernels.map((k) => [k.genomeHash, k.speedup === undefined ? '-' : `${fixed(k.speedup)}x`, k.low === undefined ? '-' : `${fixed(k.low)}-${fixed(k.high)}`, k.status])), '');
  }
  for (const p of report.pairs) {
    lines.push(`${p.a.slice(0, 8)} vs ${p.b.slice(0, 8)}: Spearman ${fixed(Number.isNaN(p.spearman) ? undefined : p.spearman)}, Kendall tau ${fixed(Number.isNaN(p.kendallTau) ? undefined : p.kendallTau)} over ${p.kernels} kernels timed on both`);
  }
  if (report.classes.length < 2) lines.push('one device class only: nothing to correlate (over NATS, start workers of other classes)');
  return `${lines.join('\n')}\n`;
}
