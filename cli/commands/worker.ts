import { hostname } from 'node:os';
import type { Command } from 'commander';
import { z } from 'zod';
import { Backend } from '../../genome/genome.ts';
import { createLogger } from '../../lib/log.ts';
import { natsConnectionOptions, natsFlagsFrom } from '../../lib/nats-options.ts';
import { Evaluator } from '../../worker/evaluator.ts';
import { createReviewWorker } from '../../verifiers/llm-review.ts';
import { runNatsWorker } from '../../worker/nats/worker.ts';
import { LlmEndpointFlags, withLlmEndpoint } from '../llm-flags.ts';
import { addNatsOptions } from '../nats.ts';
import { intFlag, LogLevel, parseFlags } from '../options.ts';

const WorkerFlags = withLlmEndpoint(z.object({
  threads: intFlag(1, 1_024).optional(),
  backends: z
    .string()
    .transform((s) => s.split(',').map((b) => b.trim()).filter((b) => b !== ''))
    .pipe(z.array(Backend, { error: 'expected a comma-separated list of wasm, webgpu' }).min(1)),
  name: z.string().regex(/^[A-Za-z0-9_.=-]+$/, { error: 'letters, digits and _ . = - only' }).optional(),
  relaxedSimd: z.boolean(),
  drainSeconds: intFlag(0, 3_600),
  logLevel: LogLevel,
  ...LlmEndpointFlags,
}));

export function registerWorker(program: Command): void {
  const command = program
    .command('worker')
    .description('evaluate jobs from NATS on this machine until Ctrl-C (then finish what is running)')
    .option('--threads <t>', 'jobs at once (default: all cores)')
    .option('--backends <list>', 'backends to serve: wasm,webgpu', 'wasm')
    .option('--name <name>', 'this worker in `kevo workers` and in results (default: host-pid)')
    .option('--no-relaxed-simd', 'do not enable relaxed SIMD (FMA) for WASM kernels')
    .option('--drain-seconds <s>', 'after Ctrl-C, how long running jobs may finish before they go back to the queue', '30')
    .option('--log-level <level>', 'trace|debug|info|warn|error|silent', 'info')
    .option('--llm-base-url <url>', 'answer LLM review jobs with this OpenAI-compatible endpoint (key from KEVO_LLM_API_KEY): advertises `llm`')
    .option('--llm-model <model>', 'model for reviews at that endpoint')
    .option('--llm-timeout-ms <ms>', 'timeout of one review call');
  addNatsOptions(command).action(async (options: Record<string, unknown>) => {
    const flags = parseFlags(WorkerFlags, options);
    const name = flags.name ?? `${hostname().replace(/[^A-Za-z0-9_.=-]/g, '_')}-${process.pid}`;
    const connection = natsConnectionOptions(natsFlagsFrom(options), `kevo-worker-${name}`);
    const log = createLogger(flags.logLevel);
    const stop = new AbortController();
    const onSignal = (): void => {
      log.info('stopping: no new jobs; finishing those running');
      stop.abort();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const review =
      flags.llmBaseUrl && flags.llmModel
        ? createReviewWorker({ baseUrl: flags.llmBaseUrl, model: flags.llmModel, ...(flags.llmTimeoutMs ? { timeoutMs: flags.llmTimeoutMs } : {}) }, name, log)
        : undefined;
    const evaluator = await Evaluator.create({ threads: flags.threads, backends: flags.backends, relaxedSimd: flags.relaxedSimd, name, log, ...(review ? { review } : {}) });
    try {
      await runNatsWorker({
        connection,
        evaluator,
        options: { name, threads: flags.threads, drainMs: flags.drainSeconds * 1_000 },
        log,
        signal: stop.signal,
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await evaluator.close();
    }
  });
}
