import { setTimeout as sleep } from 'node:timers/promises';
import type { JobEvaluator } from '../coordinator/transport/embedded.ts';
import { kernelSource } from '../genome/kernel-source.ts';
import type { DeviceClass } from '../protocol/device.ts';
import type { Job, KernelJob } from '../protocol/job.ts';
import { PROTOCOL_VERSION, type KernelResult } from '../protocol/index.ts';

export const TEST_DEVICE_CLASS: DeviceClass = {
  id: 'testcpu',
  label: 'test CPU',
  facts: { backend: 'wasm', cpu: 'test', cores: 1, arch: 'x64', node: process.version, v8: process.versions.v8, simd: true, relaxedSimd: false },
};

/**
 * A real evaluator for transport tests, with no kernel work: a job "runs" for
 * its declared timing budget (budgets.timingMs); a 1 ms budget means a
 * trivial job, answered at once. Its ok carries the genome's kernel text, as
 * an honest worker's does: the coordinator refuses an ok without it.
 */
export class SleepEvaluator implements JobEvaluator {
  readonly backends = ['wasm'];

  constructor(
    readonly name: string,
    private readonly onStart: (job: Job) => void = () => {},
  ) {}

  async deviceClasses(): Promise<DeviceClass[]> {
    return [TEST_DEVICE_CLASS];
  }

  async evaluate(job: Job): Promise<KernelResult> {
    if (job.kind !== 'kernel') throw new Error('the sleep evaluator runs kernel jobs only');
    this.onStart(job);
    const started = performance.now();
    if (job.budgets.timingMs > 1) await sleep(job.budgets.timingMs);
    return {
      v: PROTOCOL_VERSION,
      kind: 'kernel',
      jobId: job.jobId,
      campaignId: job.campaignId,
      problem: job.problem,
      genome: job.genome,
      status: 'ok',
      verdicts: [],
      kernel: kernelSourceOf(job),
      worker: this.name,
      elapsedMs: performance.now() - started,
    };
  }
}

function kernelSourceOf(job: KernelJob): { language: 'wat' | 'wgsl'; text: string } {
  const { language, text } = kernelSource(job.genome, job.problem);
  return { language, text };
}
