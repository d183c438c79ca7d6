import { WebgpuLaunch } from '../../genome/families/launch.ts';
import type { DeviceClass } from '../../protocol/device.ts';
import type { KernelJob } from '../../protocol/job.ts';
import type { KernelResult } from '../../protocol/result.ts';
import { evaluatePlanned } from '../plan.ts';
import { webgpuKernel } from './kernel.ts';

export interface WebgpuJobContext {
  /** A fresh device for this job (the child opens one per job). */
  readonly gpu: GPUDevice;
  readonly device: DeviceClass;
  readonly worker: string;
}

/** A webgpu job from genome to result: its family's WGSL, compiled into a pipeline on this job's device. */
export function evaluateWebgpuJob(job: KernelJob, ctx: WebgpuJobContext): Promise<KernelResult> {
  return evaluatePlanned(job, ctx, (problem, code) => webgpuKernel(ctx.gpu, problem, code.text, WebgpuLaunch.parse(code.launch)));
}
