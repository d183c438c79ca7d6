import { Command } from 'commander';
import { registerBest } from './commands/best.ts';
import { registerCampaign } from './commands/campaign.ts';
import { registerExport } from './commands/export.ts';
import { registerPrompts } from './commands/prompts.ts';
import { registerRun } from './commands/run.ts';
import { registerServe } from './commands/serve.ts';
import { registerWorker } from './commands/worker.ts';
import { registerWorkers } from './commands/workers.ts';
import { errorLine, exitCodeFor } from './exit.ts';

export function buildProgram(): Command {
  const program = new Command('kevo')
    .description('evolve compute kernels (WASM SIMD, WebGPU): search, verify, time, store, export')
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)')
    // Set before any subcommand is added, so each inherits it: errors throw instead of exiting.
    .exitOverride();
  registerRun(program);
  registerCampaign(program);
  registerBest(program);
  registerExport(program);
  registerPrompts(program);
  registerServe(program);
  registerWorker(program);
  registerWorkers(program);
  return program;
}

/** Runs the CLI and returns its exit status: 0 ok, 2 bad input, 1 failure. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv as string[]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    const line = errorLine(error);
    if (line) process.stderr.write(`${line}\n`);
    return exitCodeFor(error);
  }
}
