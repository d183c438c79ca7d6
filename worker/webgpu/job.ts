import type { MatmulProblem } from '../../genome/ops/problem.ts';
import { naiveMatmulWgsl } from '../../genome/webgpu/baseline.ts';
import { matmulWgsl } from '../../genome/webgpu/codegen.ts';
import { KevoError } from '../../lib/errors.ts';
import type { DeviceClass } from '../../protocol/device.ts';
import type { KernelJob } from '../../protocol/job.ts';
import type { KernelResult } from '../../protocol/result.ts';
import { evaluatePlanned, sourcePlan, type KernelPlan } from '../plan.ts';
import { webgpuKernel } from './kernel.ts';

export interface WebgpuJobContext {
  /** A fresh device for this job (the child opens one per job). */
  readonly gpu: GPUDevice;
  readonly device: DeviceClass;
  readonly worker: string;
}

/** A webgpu job from genome to result: codegen (or the genome's own WGSL), then the backend-independent core. */
export function evaluateWebgpuJob(job: KernelJob, ctx: WebgpuJobContext): Promise<KernelResult> {
  return evaluatePlanned(job, ctx, 'wgsl', () => planFor(job, ctx), (problem) =>
    webgpuKernel(ctx.gpu, problem as MatmulProblem, naiveMatmulWgsl(problem as MatmulProblem)),
  );
}

function planFor(job: KernelJob, ctx: WebgpuJobContext): KernelPlan | string {
  const { genome, problem } = job;
  if (genome.backend !== 'webgpu') return `a ${genome.backend} genome cannot run on a webgpu worker`;
  if (genome.family === 'source') {
    const { text, tile } = genome;
    if (!tile) throw new KevoError('BAD_INPUT', 'a WGSL source genome must say the output tile one workgroup covers (tile.rows, tile.cols)');
    return sourcePlan(problem, text, (p) => webgpuKernel(ctx.gpu, p as MatmulProblem, { wgsl: text, tile }));
  }
  if (genome.precision === 'f16' && !ctx.gpu.features.has('shader-f16')) return 'the genome computes in f16 but this adapter lacks shader-f16';
  return {
    build: (p) => webgpuKernel(ctx.gpu, p as MatmulProblem, matmulWgsl(genome, p as MatmulProblem)),
    text: matmulWgsl(genome, problem as MatmulProblem).wgsl,
    precision: genome.precision,
    edgeShapes: true,
  };
}
