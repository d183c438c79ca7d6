import type { Precision, Problem } from '../../genome/ops/index.ts';
import type { MatmulProblem } from '../../genome/ops/problem.ts';
import { naiveMatmulWgsl } from '../../genome/webgpu/baseline.ts';
import { matmulWgsl } from '../../genome/webgpu/codegen.ts';
import { KevoError } from '../../lib/errors.ts';
import { canonicalJson } from '../../lib/hash.ts';
import type { DeviceClass } from '../../protocol/device.ts';
import type { KernelJob } from '../../protocol/job.ts';
import type { KernelResult } from '../../protocol/result.ts';
import type { KernelBuilder } from '../../verifiers/kernel.ts';
import { evaluateKernel } from '../evaluate.ts';
import { resultFor } from '../../protocol/result.ts';
import { webgpuKernel } from './kernel.ts';

export interface WebgpuJobContext {
  /** A fresh device for this job (the child opens one per job). */
  readonly gpu: GPUDevice;
  readonly device: DeviceClass;
  readonly worker: string;
}

interface Plan {
  readonly build: KernelBuilder;
  readonly text: string;
  readonly precision: Precision;
  readonly edgeShapes: boolean;
}

/** A webgpu job from genome to result: codegen (or the genome's own WGSL), then the backend-independent core. */
export async function evaluateWebgpuJob(job: KernelJob, ctx: WebgpuJobContext): Promise<KernelResult> {
  const start = performance.now();
  const early = (status: 'unsupported' | 'compile_error', stage: string, reason: string) =>
    resultFor(job, { status, stage, reason, verdicts: [], deviceClass: ctx.device, worker: ctx.worker, elapsedMs: performance.now() - start });
  let plan: Plan | string;
  try {
    plan = planFor(job, ctx);
  } catch (error) {
    return early('compile_error', 'codegen', `codegen failed: ${(error as Error).message}`);
  }
  if (typeof plan === 'string') return early('unsupported', 'device', plan);
  return evaluateKernel({
    job,
    build: plan.build,
    buildBaseline: (problem) => webgpuKernel(ctx.gpu, problem as MatmulProblem, naiveMatmulWgsl(problem as MatmulProblem)),
    device: ctx.device,
    source: { language: 'wgsl', text: plan.text },
    worker: ctx.worker,
    precision: plan.precision,
    edgeShapes: plan.edgeShapes,
  });
}

function planFor(job: KernelJob, ctx: WebgpuJobContext): Plan | string {
  const { genome, problem } = job;
  if (genome.backend !== 'webgpu') return `a ${genome.backend} genome cannot run on a webgpu worker`;
  if (genome.family === 'source') {
    const { text, tile } = genome;
    if (!tile) throw new KevoError('BAD_INPUT', 'a WGSL source genome must say the output tile one workgroup covers (tile.rows, tile.cols)');
    // The text has its shapes baked in: it builds for the job's problem and nothing else.
    const build: KernelBuilder = (p) =>
      sameProblem(p, problem) ? webgpuKernel(ctx.gpu, p as MatmulProblem, { wgsl: text, tile }) : Promise.reject(new KevoError('UNAVAILABLE', 'a source kernel is written for one shape'));
    return { build, text, precision: 'f32', edgeShapes: false };
  }
  if (genome.precision === 'f16' && !ctx.gpu.features.has('shader-f16')) return 'the genome computes in f16 but this adapter lacks shader-f16';
  return {
    build: (p) => webgpuKernel(ctx.gpu, p as MatmulProblem, matmulWgsl(genome, p as MatmulProblem)),
    text: matmulWgsl(genome, problem).wgsl,
    precision: genome.precision,
    edgeShapes: true,
  };
}

function sameProblem(a: Problem, b: Problem): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
