import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { MAX_EVALUATIONS } from '../../coordinator/spec.ts';
import { damaged } from '../../coordinator/store/open.ts';
import { Store } from '../../coordinator/store/store.ts';
import { KevoError } from '../../lib/errors.ts';
import { createLogger } from '../../lib/log.ts';
import { quote } from '../../lib/quote.ts';
import { addCommonOptions, CommonFlags, intFlag, parseFlags } from '../options.ts';
import { addNatsOptions, wantsNats } from '../nats.ts';
import { fixed, printJson, table } from '../output.ts';
import { loadModel, tuneModel, type TuneReport } from '../tune.ts';

const Dim = z.string().regex(/^[A-Za-z_][\w.:-]*=\d+$/, { error: 'expected NAME=N, e.g. --dim batch=1' });

const TuneFlags = z.object({
  ...CommonFlags,
  budget: intFlag(1, MAX_EVALUATIONS),
  population: intFlag(2, 10_000),
  seed: intFlag(0, 2 ** 32 - 1),
  threads: intFlag(1, 256).optional(),
  dim: z.array(Dim).default([]),
  rounds: intFlag(3, 1000),
  profileRuns: intFlag(1, 1000),
  relaxedSimd: z.boolean(),
  timingMs: intFlag(1, 600_000).optional(),
});

export function registerTune(program: Command): void {
  const command = addCommonOptions(
    program
      .command('tune')
      .description('profile an ONNX model, tune its heaviest ops, run it with kevo kernels against onnxruntime-web')
      .argument('<model>', 'an .onnx file')
      .option('--budget <n>', 'candidates to evaluate in all, split over the ranked problems', '60')
      .option('--population <p>', 'candidates per generation', '12')
      .option('--seed <s>', 'seed of the searches and of the model inputs', '1')
      .option('--threads <t>', 'worker threads of the embedded pool (default: all cores)')
      .option('--dim <name=n>', 'a value for a symbolic input dim (repeatable)', (value: string, all: string[] = []) => [...all, value])
      .option('--rounds <n>', 'interleaved timing rounds of the end-to-end comparison', '15')
      .option('--profile-runs <n>', 'runs of the onnxruntime-web profile', '10')
      .option('--no-relaxed-simd', 'do not enable relaxed SIMD (FMA) in WASM workers')
      .option('--timing-ms <ms>', 'time budget for timing one candidate'),
  );
  addNatsOptions(command).action(async (path: string, options: Record<string, unknown>) => {
    const flags = parseFlags(TuneFlags, options);
    const dims = Object.fromEntries(flags.dim.map((d) => [d.slice(0, d.indexOf('=')), Number(d.slice(d.indexOf('=') + 1))]));
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch (error) {
      throw new KevoError('BAD_INPUT', `<model> ${quote(path)}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    // The model is read, checked and mapped before the store or a transport is opened: a bad one writes nothing.
    let loaded;
    try {
      loaded = loadModel(bytes, dims, flags.seed);
    } catch (error) {
      if (error instanceof KevoError && error.code === 'BAD_INPUT') throw new KevoError('BAD_INPUT', `<model> ${quote(path)}: ${error.message}`);
      throw error;
    }
    const log = createLogger(flags.logLevel);
    const store = Store.open(flags.db);
    try {
      const settings = { budget: flags.budget, population: flags.population, seed: flags.seed, threads: flags.threads, relaxedSimd: flags.relaxedSimd, rounds: flags.rounds, profileRuns: flags.profileRuns, db: flags.db, timingMs: flags.timingMs };
      const report = await tuneModel({ path, bytes, loaded, settings, store, flags: options, nats: wantsNats(options), log });
      if (flags.json) printJson(report);
      else process.stdout.write(describe(report));
      process.exitCode = 'error' in report.measured || report.measured.outputsMatch ? 0 : 1;
    } catch (error) {
      throw damaged(flags.db, error) ?? error;
    } finally {
      store.close();
    }
  });
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const ms = (x: number | undefined) => (x === undefined ? '-' : fixed(x, 3));

function describe(r: TuneReport): string {
  const lines = [
    `tune ${r.id}: ${r.model} (${r.transport}, budget ${r.budget}); shares from the ${r.profile}`,
    table(
      ['nodes', 'ops', 'share', 'ort ms', 'before ms', 'after ms', 'speedup', 'problem / not tuned'],
      r.nodes.map((n) => [n.nodes.join(','), n.ops, pct(n.share), ms(n.ortMs), ms(n.beforeMs), ms(n.afterMs), n.speedup ? `${fixed(n.speedup)}x` : '-', n.notTuned ? `${n.problem ? `${n.problem}: ` : ''}${n.notTuned}` : `${n.problem ?? ''}${n.lowering ? ` (${n.lowering})` : ''}`]),
    ),
    `projected end to end (Amdahl, tuned nodes at kevo's best vs onnxruntime-web's node time): ${fixed(r.projected)}x`,
  ];
  const m = r.measured;
  if ('error' in m) lines.push(`measured: not run (${m.error})`);
  else {
    lines.push(`measured end to end: onnxruntime-web ${fixed(m.ortMs, 3)} ms, kevo ${fixed(m.kevoMs, 3)} ms: ${fixed(m.speedup)}x (medians of ${m.rounds} interleaved rounds of session.run and kevo's executor, 1 thread)`);
    lines.push(`  onnxruntime-web inside the runtime (its profiler's model_run, no JavaScript glue): ${fixed(m.ortRunMs, 3)} ms: kevo ${fixed(m.speedupVsOrtRun)}x`);
    for (const o of m.outputs) lines.push(`output ${o.output}: max |kevo - onnxruntime-web| ${o.maxError.toExponential(2)} (tolerance ${o.tolerance.toExponential(2)}): ${o.ok ? 'match' : 'MISMATCH'}`);
  }
  return `${lines.join('\n')}\n`;
}
