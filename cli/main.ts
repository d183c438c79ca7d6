import { Command } from 'commander';
import { clip } from '../lib/quote.ts';
import { KEVO_VERSION } from '../lib/version.ts';
import { errorLine, exitCodeFor } from './exit.ts';

type Register = (program: Command) => void;

/**
 * Every command, with the one line `kevo --help` lists for it. A command's
 * module (and what it pulls in: zod, SQLite, NATS, the LLM client, wabt) is
 * imported only when that command runs, so `kevo --help` starts fast.
 */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Register> }> = {
  run: { summary: 'run a search campaign for one problem (embedded: no server needed)', load: async () => (await import('./commands/run.ts')).registerRun },
  campaign: { summary: 'start, resume and inspect campaigns', load: async () => (await import('./commands/campaign.ts')).registerCampaign },
  suite: { summary: 'run task suites; report correctness and fast_p per category', load: async () => (await import('./commands/suite.ts')).registerSuite },
  best: { summary: 'the best verified kernels found for a problem, fastest first', load: async () => (await import('./commands/best.ts')).registerBest },
  export: { summary: 'write a kernel and an ES module that loads it into a directory', load: async () => (await import('./commands/export.ts')).registerExport },
  reverify: { summary: 'run the current verifier harness again on stored kernels an older one passed', load: async () => (await import('./commands/reverify.ts')).registerReverify },
  portability: { summary: 'time the same kernels on every live device class: who wins where, rank correlation', load: async () => (await import('./commands/portability.ts')).registerPortability },
  replay: { summary: "replay strategies against a campaign's stored timings: best found against evaluations", load: async () => (await import('./commands/replay.ts')).registerReplay },
  prompts: { summary: 'the evolved LLM prompts: lineage and scores', load: async () => (await import('./commands/prompts.ts')).registerPrompts },
  serve: { summary: 'a dashboard and a read-only JSON API over the database', load: async () => (await import('./commands/serve.ts')).registerServe },
  worker: { summary: 'evaluate jobs from NATS on this machine until Ctrl-C', load: async () => (await import('./commands/worker.ts')).registerWorker },
  tune: { summary: 'profile an ONNX model, tune its heaviest ops, run it with kevo kernels against onnxruntime-web', load: async () => (await import('./commands/tune.ts')).registerTune },
  workers: { summary: 'the live workers on a NATS server', load: async () => (await import('./commands/workers.ts')).registerWorkers },
};

/** The program for these arguments: the named command in full, the others as entries in the list. */
export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command('kevo')
    .description('evolve compute kernels (WASM SIMD, WebGPU): search, verify, time, store, export')
    .version(KEVO_VERSION)
    .showHelpAfterError('(add --help for usage)')
    // Commander echoes what was typed (an unknown option or command): cut and escaped like any echoed input.
    .configureOutput({ outputError: (text, write) => write(text.split('\n').map((line) => clip(line)).join('\n')) })
    // Set before any subcommand is added, so each inherits it: errors throw instead of exiting.
    .exitOverride();
  const named = commandNamed(argv.slice(2));
  for (const [name, { summary, load }] of Object.entries(COMMANDS)) {
    if (name === named) (await load())(program);
    else program.command(name).summary(summary);
  }
  return program;
}

/** The command the arguments name: the first word, or the one after `help`. */
function commandNamed(args: readonly string[]): string | undefined {
  const words = args.filter((arg) => !arg.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/** Runs the CLI and returns its exit status: 0 ok, 2 bad input, 1 failure. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await (await buildProgram(argv)).parseAsync(argv as string[]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    const line = errorLine(error);
    if (line) process.stderr.write(`${line}\n`);
    return exitCodeFor(error);
  }
}
