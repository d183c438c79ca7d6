import { availableParallelism, hostname } from 'node:os';
import { z } from 'zod';
import { jetstream, jetstreamManager, type Consumer } from '@nats-io/jetstream';
import type { NodeConnectionOptions } from '@nats-io/transport-node';
import { ensureJobConsumer, ensureStreams, MAX_JOB_BYTES, NatsTopology, workerRoutes, workersBucket } from '../../protocol/nats/topology.ts';
import { parseOrThrow } from '../../lib/errors.ts';
import { silentLogger, type Logger } from '../../lib/log.ts';
import { connectNats } from '../../lib/nats-options.ts';
import { KEVO_VERSION } from '../../lib/version.ts';
import type { DeviceClass } from '../../protocol/device.ts';
import { PROTOCOL_VERSION, type Job } from '../../protocol/job.ts';
import type { Result } from '../../protocol/result.ts';
import { Heartbeat } from './heartbeat.ts';
import { JobRunner } from './job-runner.ts';
import { FreeThreads } from './free-threads.ts';

export const NatsWorkerOptions = NatsTopology.extend({
  /** Its key in the heartbeat bucket: unique per worker process. */
  name: z
    .string()
    .regex(/^[A-Za-z0-9_.=-]+$/, { error: 'letters, digits and _ . = - only' })
    .max(200)
    .default(() => `${hostname().replace(/[^A-Za-z0-9_.=-]/g, '_')}-${process.pid}`),
  /** Jobs at once; each free thread pulls one job at a time. Give the evaluator as many threads. */
  threads: z.number().int().min(1).max(1_024).default(() => availableParallelism()),
  /** After the stop signal, in-flight jobs get this long to finish; the rest go back to the queue. */
  drainMs: z.number().int().min(0).max(3_600_000).default(30_000),
  maxJobBytes: z.number().int().min(1_024).max(MAX_JOB_BYTES).default(MAX_JOB_BYTES),
}).strict();
export type NatsWorkerOptions = z.input<typeof NatsWorkerOptions>;

/** What the worker needs of worker/evaluator.ts's Evaluator: evaluate() never rejects for jobs of its backends. */
export interface WorkerEvaluator {
  evaluate(job: Job): Promise<Result>;
  deviceClasses(): Promise<DeviceClass[]>;
  readonly backends: readonly string[];
}

/** What a worker reports in its heartbeat: the build, and the protocol it speaks. */
const WORKER_VERSION = `kevo ${KEVO_VERSION} protocol v${PROTOCOL_VERSION}`;

export interface NatsWorkerRun {
  readonly connection: NodeConnectionOptions;
  readonly evaluator: WorkerEvaluator;
  readonly options?: NatsWorkerOptions;
  readonly log?: Logger;
  /** Abort to stop: no more pulls, in-flight jobs drain, the heartbeat entry goes. */
  readonly signal: AbortSignal;
}

/** A server-side pull that waits this long for a job before the thread tries its next route. */
const PULL_EXPIRES_MS = 1_000;
const RETRY_AFTER_ERROR_MS = 1_000;

/**
 * Serve jobs from NATS until `signal` aborts. It pulls as many jobs as it has
 * idle threads, never more (consume() would buffer jobs whose ack_wait runs
 * out while they wait), evaluates each, publishes the Result and waits for the
 * stream's ack, and only then acks the job: a worker that dies mid-job leaves
 * it to be redelivered. Resolves with the number of jobs done once it has shut down.
 */
export async function runNatsWorker(run: NatsWorkerRun): Promise<{ jobsDone: number }> {
  const options = parseOrThrow(NatsWorkerOptions, run.options ?? {}, 'NATS worker options');
  const log = (run.log ?? silentLogger).child({ worker: options.name });
  const threads = options.threads;
  const connection = await connectNats(run.connection, log);
  try {
    const jsm = await jetstreamManager(connection);
    await ensureStreams(jsm, options);
    const deviceClasses = await run.evaluator.deviceClasses();
    const routes = workerRoutes(
      deviceClasses.map((d) => d.id),
      run.evaluator.backends,
      options.name,
    );
    const infos = await Promise.all(routes.map((route) => ensureJobConsumer(jsm, options, route)));
    const js = jetstream(connection);
    const consumers = await Promise.all(infos.map((info) => js.consumers.get(info.stream_name, info.name)));
    const ackWaitMs = Math.min(...infos.map((info) => info.config.ack_wait ?? 30e9)) / 1e6;
    const runner = new JobRunner(js, run.evaluator, { ...options, ackWaitMs }, log);
    const heartbeat = new Heartbeat(
      await workersBucket(connection, options),
      () => ({
        name: options.name,
        deviceClasses,
        backends: run.evaluator.backends,
        threads,
        jobsDone: runner.jobsDone,
        version: WORKER_VERSION,
        lastSeen: new Date().toISOString(),
      }),
      Math.min(5_000, options.heartbeatTtlMs / 3),
      log,
    );
    await heartbeat.start();
    log.info({ routes, threads }, 'worker ready');
    const stop = (): void => runner.stop(options.drainMs);
    run.signal.addEventListener('abort', stop, { once: true });
    try {
      const idle = new FreeThreads(threads);
      await pullLoop(consumers, idle, runner, run.signal, log);
      await idle.allIdle();
      await runner.settled();
    } finally {
      run.signal.removeEventListener('abort', stop);
      runner.dispose();
    }
    await heartbeat.stop();
    log.info({ jobsDone: runner.jobsDone }, 'worker stopped');
    return { jobsDone: runner.jobsDone };
  } finally {
    await connection.drain().catch(() => connection.close());
  }
}

/**
 * One pull at a time, for as many jobs as there are idle threads: under load
 * that is one round trip for many jobs. It stays on a route while the route
 * gives jobs and moves to the next when a pull comes back empty, so an idle
 * route costs one pull's wait (1 s).
 */
async function pullLoop(consumers: Consumer[], idle: FreeThreads, runner: JobRunner, signal: AbortSignal, log: Logger): Promise<void> {
  let turn = 0;
  for (;;) {
    const free = await idle.takeAll(signal);
    if (free === 0) return;
    let started = 0;
    try {
      const batch = await consumers[turn % consumers.length]!.fetch({ max_messages: free, expires: PULL_EXPIRES_MS });
      for await (const message of batch) {
        if (signal.aborted) {
          message.nak();
          continue;
        }
        started++;
        void runner
          .run(message)
          .catch((error: unknown) => log.error({ err: error }, 'job handling failed'))
          .finally(() => idle.release(1));
      }
    } catch (error) {
      log.debug({ err: error }, 'pull failed; retrying');
      await abortableDelay(RETRY_AFTER_ERROR_MS, signal);
    }
    idle.release(free - started);
    if (started === 0) turn++;
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
