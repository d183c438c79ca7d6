import pLimit from 'p-limit';
import { KevoError, parseOrThrow } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import { silentLogger } from '../../lib/log.ts';
import type { DeviceClass } from '../../protocol/device.ts';
import { KernelJob } from '../../protocol/job.ts';
import { KernelResult } from '../../protocol/result.ts';
import { resultFor } from '../../protocol/result.ts';
import type { BackendRunner, RunnerOptions } from '../runner.ts';
import { GpuProcess } from './process.ts';

export interface WebgpuRunnerOptions extends RunnerOptions {
  /** Jobs a GPU process runs before it is replaced: Dawn and lavapipe grow a little per device. Default 50. */
  readonly recycleAfter?: number;
  /** LP_NUM_THREADS for lavapipe; default: the environment's. */
  readonly lavapipeThreads?: number;
}

/** Time a fresh GPU process gets to load Dawn and find the adapter. */
const START_DEADLINE_MS = 60_000;

/**
 * WebGPU jobs, one at a time, in a child process this runner owns: a kernel
 * that hangs the GPU is killed with its process at the job's deadline (status
 * timeout), a process that crashes becomes a runtime_error, and either way the
 * next job gets a fresh process. One process, because jobs on one adapter
 * would only share it and spoil each other's timings.
 */
export class WebgpuRunner implements BackendRunner {
  readonly backend = 'webgpu' as const;
  readonly #options: WebgpuRunnerOptions;
  readonly #log: Logger;
  readonly #worker: string;
  #device: DeviceClass;
  #process: GpuProcess | null;
  #jobsOnProcess = 0;
  /** One job at a time on the one process; close() queues behind them. */
  readonly #oneAtATime = pLimit(1);
  #closed: Promise<void> | undefined;

  private constructor(options: WebgpuRunnerOptions, gpu: GpuProcess, device: DeviceClass) {
    this.#options = options;
    this.#log = (options.log ?? silentLogger).child({ backend: 'webgpu' });
    this.#worker = options.name ?? 'worker';
    this.#process = gpu;
    this.#device = device;
  }

  /** Starts the GPU process and learns the device class; UNAVAILABLE (saying what to install) when there is no adapter. */
  static async start(options: WebgpuRunnerOptions = {}): Promise<WebgpuRunner> {
    const { gpu, device } = await startProcess(options);
    return new WebgpuRunner(options, gpu, device);
  }

  async deviceClass(): Promise<DeviceClass> {
    return this.#device;
  }

  async evaluate(job: KernelJob): Promise<KernelResult> {
    if (this.#closed) throw new KevoError('UNAVAILABLE', 'the WebGPU runner is closed');
    const parsed = parseOrThrow(KernelJob, job, 'job');
    return this.#oneAtATime(() => this.#run(parsed));
  }

  async #run(job: KernelJob): Promise<KernelResult> {
    const start = performance.now();
    const failure = (status: 'timeout' | 'runtime_error' | 'unsupported', stage: string, reason: string) =>
      resultFor(job, { status, stage, reason, verdicts: [], deviceClass: this.#device, worker: this.#worker, elapsedMs: performance.now() - start });
    let gpu: GpuProcess;
    try {
      gpu = await this.#readyProcess();
    } catch (error) {
      return failure('unsupported', 'gpu-process', (error as Error).message);
    }
    this.#jobsOnProcess++;
    const outcome = await gpu.request({ type: 'job', job, worker: this.#worker }, job.budgets.deadlineMs);
    const log = this.#log.child({ jobId: job.jobId, pid: gpu.pid });
    switch (outcome.kind) {
      case 'timeout':
        log.warn({ deadlineMs: job.budgets.deadlineMs }, 'GPU job past its deadline: killed its process');
        await this.#discard();
        return failure('timeout', 'deadline', `still running at the job's deadline of ${job.budgets.deadlineMs} ms: GPU process killed`);
      case 'exit':
        log.warn({ reason: outcome.reason }, 'GPU process died during a job');
        await this.#discard();
        return failure('runtime_error', 'gpu-process', outcome.reason);
      case 'reply': {
        const reply = outcome.reply;
        if (reply.type === 'result') {
          const checked = KernelResult.safeParse(reply.result);
          if (checked.success) return checked.data;
          return failure('runtime_error', 'gpu-process', `the GPU process sent a malformed result: ${checked.error.message}`);
        }
        if (reply.type === 'error') {
          // Errors outside evaluateKernel (no adapter any more, device request refused): the process may be unwell.
          await this.#discard();
          return failure(reply.code === 'UNAVAILABLE' ? 'unsupported' : 'runtime_error', 'gpu-process', reply.message);
        }
        return failure('runtime_error', 'gpu-process', `unexpected reply ${reply.type} from the GPU process`);
      }
    }
  }

  /** The live process, replaced when it died or has run its share of jobs. */
  async #readyProcess(): Promise<GpuProcess> {
    const recycleAfter = this.#options.recycleAfter ?? 50;
    const recycled = this.#process?.alive === true && this.#jobsOnProcess >= recycleAfter;
    if (recycled) await this.#discard();
    if (!this.#process?.alive) {
      await this.#discard();
      const { gpu, device } = await startProcess(this.#options);
      // A recycle is routine; a restart after a kill or a crash is worth a line at the default level.
      if (recycled) this.#log.debug({ pid: gpu.pid, after: recycleAfter }, 'GPU process recycled: started a fresh one');
      else this.#log.info({ pid: gpu.pid }, 'GPU process restarted after the last one was killed or died');
      if (device.id !== this.#device.id) this.#log.warn({ was: this.#device.id, now: device.id }, 'the GPU device class changed');
      this.#process = gpu;
      this.#device = device;
    }
    return this.#process!;
  }

  async #discard(): Promise<void> {
    const gpu = this.#process;
    this.#process = null;
    this.#jobsOnProcess = 0;
    if (gpu) {
      gpu.kill();
      await gpu.exit();
    }
  }

  /**
   * `work` on a runner with a GPU process of its own, killed before this
   * resolves. It holds this runner's turn meanwhile: two processes timing on
   * one adapter at once would spoil each other's timings.
   */
  fresh<T>(work: (runner: BackendRunner) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new KevoError('UNAVAILABLE', 'the WebGPU runner is closed'));
    return this.#oneAtATime(async () => {
      const runner = await WebgpuRunner.start(this.#options);
      try {
        return await work(runner);
      } finally {
        await runner.close();
      }
    });
  }

  close(): Promise<void> {
    this.#closed ??= this.#oneAtATime(() => this.#discard());
    return this.#closed;
  }
}

async function startProcess(options: WebgpuRunnerOptions): Promise<{ gpu: GpuProcess; device: DeviceClass }> {
  const gpu = new GpuProcess({ lavapipeThreads: options.lavapipeThreads, families: options.families });
  const outcome = await gpu.request({ type: 'probe' }, START_DEADLINE_MS);
  if (outcome.kind === 'reply' && outcome.reply.type === 'probe' && outcome.reply.availability.ok) {
    return { gpu, device: outcome.reply.availability.device };
  }
  gpu.kill();
  await gpu.exit();
  const reason =
    outcome.kind === 'timeout'
      ? `the GPU process did not start within ${START_DEADLINE_MS} ms`
      : outcome.kind === 'exit'
        ? outcome.reason
        : outcome.reply.type === 'probe' && !outcome.reply.availability.ok
          ? outcome.reply.availability.reason
          : `unexpected reply from the GPU process: ${outcome.reply.type}`;
  throw new KevoError('UNAVAILABLE', reason);
}
