import type { Backend } from '../genome/genome.ts';
import { backendLimit } from '../genome/spaces.ts';
import { KevoError } from '../lib/errors.ts';
import { silentLogger, type Logger } from '../lib/log.ts';
import type { DeviceClass } from '../protocol/device.ts';
import { LLM_CAPABILITY, type Job, type KernelJob, type PromoteJob, type ReviewJob } from '../protocol/job.ts';
import type { KernelResult, PromoteResult, Result, ReviewResult } from '../protocol/result.ts';
import { promoteFailure, resultFor } from '../protocol/result.ts';
import type { BackendRunner, RunnerOptions } from './runner.ts';
import { runners } from './runners.ts';
import { runPromotion } from './promote.ts';

export interface EvaluatorOptions extends RunnerOptions {
  /** Default ['wasm']. */
  readonly backends?: readonly Backend[];
  /** Answers review jobs (an LLM endpoint, see verifiers/llm-review.ts); with it the worker advertises `llm`. */
  readonly review?: (job: ReviewJob) => Promise<ReviewResult>;
}

/** A worker's runners, one per backend it runs, behind one evaluate(): what a Transport hands jobs to. */
export class Evaluator {
  #closed: Promise<void> | undefined;

  private constructor(
    private readonly runners: ReadonlyMap<Backend, BackendRunner>,
    readonly name: string,
    private readonly review: EvaluatorOptions['review'],
    private readonly log: Logger,
  ) {}

  /** Starts a runner per backend; if one cannot start, closes those that did and throws its error. */
  static async create(options: EvaluatorOptions = {}): Promise<Evaluator> {
    const backends = [...new Set<Backend>(options.backends ?? ['wasm'])];
    const started = new Map<Backend, BackendRunner>();
    try {
      for (const backend of backends) started.set(backend, await runners[backend](options));
    } catch (error) {
      await Promise.all([...started.values()].map((runner) => runner.close()));
      throw error;
    }
    return new Evaluator(started, options.name ?? 'worker', options.review, options.log ?? silentLogger);
  }

  /** The backends it runs, plus `llm` when it answers review jobs: what a worker advertises and pulls jobs for. */
  get backends(): string[] {
    return [...this.runners.keys(), ...(this.review ? [LLM_CAPABILITY] : [])];
  }

  deviceClasses(): Promise<DeviceClass[]> {
    return Promise.all([...this.runners.values()].map((runner) => runner.deviceClass()));
  }

  /**
   * Reviews go to the reviewer; kernel jobs by the genome's backend; a promote
   * job becomes rounds of kernel jobs here, one at a time (worker/promote.ts).
   * A job this worker cannot run gets status unsupported, not an error.
   */
  evaluate(job: ReviewJob): Promise<ReviewResult>;
  evaluate(job: PromoteJob): Promise<PromoteResult>;
  evaluate(job: KernelJob): Promise<KernelResult>;
  evaluate(job: Job): Promise<Result>;
  async evaluate(job: Job): Promise<Result> {
    if (this.#closed) throw new KevoError('UNAVAILABLE', 'the evaluator is closed');
    if (job.kind === 'review') {
      if (!this.review) throw new KevoError('BAD_INPUT', `worker ${this.name} has no LLM endpoint for review job ${job.jobId}`);
      return this.review(job);
    }
    if (job.kind === 'promote') return this.#promote(job);
    return this.#evaluateOn(this.runners.get(job.genome.backend), job);
  }

  /**
   * A promote job on the backend's warm runner, or, when the job asks for a
   * fresh thread, on a runner started for it and closed after (BackendRunner.fresh).
   */
  async #promote(job: PromoteJob): Promise<PromoteResult> {
    const warm = this.runners.get(job.genomes[0]!.backend);
    if (!job.freshThread || !warm) return runPromotion(job, (kernelJob) => this.#evaluateOn(warm, kernelJob), this.name);
    try {
      const result = await warm.fresh((fresh) => runPromotion(job, (kernelJob) => this.#evaluateOn(fresh, kernelJob), this.name));
      return { ...result, freshThread: true };
    } catch (error) {
      const reason = `could not start a fresh ${warm.backend} runner: ${error instanceof Error ? error.message : String(error)}`;
      return promoteFailure(job, { status: 'unsupported', stage: 'fresh-runner', reason, worker: this.name });
    }
  }

  /** A kernel job on `runner` (this worker's for the genome's backend, or a fresh one), after the checks every job gets. */
  async #evaluateOn(runner: BackendRunner | undefined, job: KernelJob): Promise<KernelResult> {
    const backend = job.genome.backend;
    const unsupported = (reason: string, stage = 'backend') =>
      resultFor(job, { status: 'unsupported', stage, reason, verdicts: [], worker: this.name, elapsedMs: 0 });
    if (!runner) return unsupported(`this worker runs ${this.backends.join(', ')} jobs, not ${backend}`);
    const device = await runner.deviceClass();
    if (job.deviceClassId !== undefined && device.id !== job.deviceClassId) {
      return unsupported(`the job wants device class ${job.deviceClassId}; this worker's ${backend} device class is ${device.id} (${device.label})`);
    }
    // A problem past what the device holds would only fail to compile or allocate, slowly: refuse it at once.
    const limit = backendLimit(job.problem, backend, device.facts.backend === 'webgpu' ? device.facts.limits : undefined);
    if (limit) return unsupported(`problem too big for this ${backend} device: ${limit}`, 'limits');
    const result = await runner.evaluate(job);
    const { status, stage, timing } = result;
    this.log.child({ jobId: job.jobId }).debug({ status, stage, gflops: timing?.gflops, speedup: timing?.speedup }, 'evaluated');
    return result;
  }

  close(): Promise<void> {
    this.#closed ??= Promise.all([...this.runners.values()].map((runner) => runner.close())).then(() => undefined);
    return this.#closed;
  }
}
