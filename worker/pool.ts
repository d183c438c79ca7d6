import os from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import pLimit, { type LimitFunction } from 'p-limit';
import { Piscina } from 'piscina';
import { KevoError, parseOrThrow } from '../lib/errors.ts';
import { silentLogger, type Logger } from '../lib/log.ts';
import { CHILD_EXEC_ARGV, moduleUrl } from '../lib/runtime.ts';
import type { DeviceClass } from '../protocol/device.ts';
import { KernelJob } from '../protocol/job.ts';
import type { KernelResult } from '../protocol/result.ts';
import { resultFor } from '../protocol/result.ts';
import type { BackendRunner, RunnerOptions } from './runner.ts';
import type { TaskData, TimedTask } from './task.ts';

export type WasmPoolOptions = RunnerOptions;

const TASK = moduleUrl('./task.ts', import.meta.url).href;

/** How long a job may wait for a fresh thread to boot (tsx, wabt) before its deadline starts anyway. */
const BOOT_GRACE_MS = 30_000;

/**
 * WASM jobs on a piscina pool, one job per thread at a time. Every job runs
 * under its deadline: past it piscina terminates the thread, even inside a
 * wasm infinite loop, and starts a fresh one. The deadline counts from when
 * a thread starts the job, not from when it was queued or while a replaced
 * thread boots (a second or more on a busy machine).
 */
export class WasmPool implements BackendRunner {
  readonly backend = 'wasm' as const;
  readonly threads: number;
  readonly name: string;
  readonly #piscina: Piscina<unknown, KernelResult>;
  readonly #log: Logger;
  readonly #options: WasmPoolOptions;
  /** One job per thread: a job waits here, not in piscina's queue, so its deadline starts with it. */
  readonly #slots: LimitFunction;
  #device: Promise<DeviceClass> | undefined;
  #closed: Promise<void> | undefined;
  /**
   * Settles once every thread has loaded the task module. Terminating a
   * thread while it is still importing it (Node 20's require of ESM) aborts
   * the whole process with a V8 fatal error, so close() waits for this: a
   * campaign refused right after its pool started (an unknown --device) exits 2
   * instead of dying.
   */
  readonly #loaded: Promise<unknown>;

  constructor(options: WasmPoolOptions = {}) {
    this.threads = checkThreads(options.threads);
    if (options.relaxedSimd !== undefined && typeof options.relaxedSimd !== 'boolean') {
      throw new TypeError(`options.relaxedSimd must be a boolean, got ${typeof options.relaxedSimd}`);
    }
    this.#slots = pLimit(this.threads);
    this.#options = options;
    this.name = options.name ?? os.hostname();
    this.#log = (options.log ?? silentLogger).child({ backend: 'wasm' });
    const workerData: TaskData = { relaxedSimd: options.relaxedSimd ?? false, name: this.name, families: options.families ?? [] };
    this.#piscina = new Piscina({
      filename: TASK,
      minThreads: this.threads,
      maxThreads: this.threads,
      idleTimeout: Infinity,
      execArgv: [...CHILD_EXEC_ARGV],
      workerData,
    });
    // A thread that dies between tasks is replaced by piscina; say so rather than crash the process.
    this.#piscina.on('error', (error: unknown) => this.#log.error({ err: error }, 'a pool thread failed'));
    // One small task per thread: piscina hands each to a different idle thread, which loads the module to run it.
    this.#loaded = Promise.allSettled(Array.from({ length: this.threads }, () => this.#piscina.run(undefined, { name: 'deviceClass' })));
  }

  /** Where this pool's threads time kernels, asked of a thread (relaxed SIMD is a thread's view). */
  deviceClass(): Promise<DeviceClass> {
    this.#device ??= this.#piscina.run(undefined, { name: 'deviceClass' }).then(
      (device) => device as unknown as DeviceClass,
      (error: unknown) => {
        this.#device = undefined;
        throw error;
      },
    );
    return this.#device;
  }

  /** A result for every valid job, whatever its kernel does; rejects only for a job that does not parse, or after close(). */
  async evaluate(job: KernelJob): Promise<KernelResult> {
    if (this.#closed) throw new KevoError('UNAVAILABLE', 'the wasm pool is closed');
    const parsed = parseOrThrow(KernelJob, job, 'job');
    return this.#slots(() => this.#run(parsed));
  }

  /** One job on a thread under its deadline; a kill or a crash becomes the job's result. */
  async #run(parsed: KernelJob): Promise<KernelResult> {
    const start = performance.now();
    const deadline = new AbortController();
    const { port1, port2 } = new MessageChannel();
    const abort = () => deadline.abort();
    let timer: NodeJS.Timeout | undefined;
    port1.once('message', () => (timer = setTimeout(abort, parsed.budgets.deadlineMs)));
    const backstop = setTimeout(abort, parsed.budgets.deadlineMs + BOOT_GRACE_MS);
    try {
      const task: TimedTask = { job: parsed, started: port2 };
      return await this.#piscina.run(task, { name: 'timed', signal: deadline.signal, transferList: [port2] });
    } catch (error) {
      return await this.#failure(parsed, deadline.signal.aborted, error, performance.now() - start);
    } finally {
      clearTimeout(timer);
      clearTimeout(backstop);
      port1.close();
    }
  }

  /** `work` on a pool of one thread of its own, destroyed (its thread ended) before this resolves. */
  async fresh<T>(work: (runner: BackendRunner) => Promise<T>): Promise<T> {
    if (this.#closed) throw new KevoError('UNAVAILABLE', 'the wasm pool is closed');
    const pool = new WasmPool({ ...this.#options, threads: 1 });
    try {
      return await work(pool);
    } finally {
      await pool.close();
    }
  }

  close(): Promise<void> {
    this.#closed ??= this.#loaded.then(() => this.#piscina.destroy());
    return this.#closed;
  }

  /** The result for a job that produced none: its deadline killed the thread, or the thread went away. */
  async #failure(job: KernelJob, timedOut: boolean, error: unknown, elapsedMs: number): Promise<KernelResult> {
    const deviceClass = this.#closed ? undefined : await this.deviceClass().catch(() => undefined);
    const base = { verdicts: [], deviceClass, worker: this.name, elapsedMs };
    const log = this.#log.child({ jobId: job.jobId });
    if (timedOut) {
      const reason = `the job's deadline of ${job.budgets.deadlineMs} ms passed: its thread was killed and replaced`;
      log.warn({ deadlineMs: job.budgets.deadlineMs }, reason);
      return resultFor(job, { ...base, status: 'timeout', stage: 'deadline', reason });
    }
    const message = error instanceof Error ? error.message : String(error);
    log.error({ err: error }, 'the thread running the job failed');
    return resultFor(job, { ...base, status: 'runtime_error', stage: 'worker', reason: `the worker thread failed: ${message}` });
  }

}

function checkThreads(threads: unknown): number {
  if (threads === undefined) return os.availableParallelism();
  if (typeof threads !== 'number') throw new TypeError(`options.threads must be a number, got ${typeof threads}`);
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`options.threads must be a positive integer, got ${threads}`);
  return threads;
}
