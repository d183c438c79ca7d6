import type { Precision, Problem } from '../genome/ops/index.ts';
import { KevoError } from '../lib/errors.ts';
import { canonicalJson } from '../lib/hash.ts';
import type { DeviceClass } from '../protocol/device.ts';
import type { KernelJob } from '../protocol/job.ts';
import { resultFor, type KernelResult, type KernelSource } from '../protocol/result.ts';
import type { KernelBuilder } from '../verifiers/kernel.ts';
import { evaluateKernel } from './evaluate.ts';

/** How a backend builds one job's kernels: codegen for a tiled genome, the text itself for a source. */
export interface KernelPlan {
  readonly build: KernelBuilder;
  readonly text: string;
  readonly precision: Precision;
  /** Whether the kernel builds for other shapes too (so the shape sweep can run its edge shapes). */
  readonly edgeShapes: boolean;
}

/**
 * A job from genome to result on any backend: the backend's plan (or why this
 * worker cannot run the genome: status unsupported; a codegen that throws:
 * compile_error), then the backend-independent verify-and-time core.
 */
export async function evaluatePlanned(
  job: KernelJob,
  ctx: { device: DeviceClass; worker: string },
  language: KernelSource['language'],
  plan: () => KernelPlan | string,
  buildBaseline: KernelBuilder,
): Promise<KernelResult> {
  const start = performance.now();
  const early = (status: 'unsupported' | 'compile_error', stage: string, reason: string) =>
    resultFor(job, { status, stage, reason, verdicts: [], deviceClass: ctx.device, worker: ctx.worker, elapsedMs: performance.now() - start });
  let planned: KernelPlan | string;
  try {
    planned = plan();
  } catch (error) {
    return early('compile_error', 'codegen', `codegen failed: ${(error as Error).message}`);
  }
  if (typeof planned === 'string') return early('unsupported', 'device', planned);
  return evaluateKernel({
    job,
    build: planned.build,
    buildBaseline,
    device: ctx.device,
    source: { language, text: planned.text },
    worker: ctx.worker,
    precision: planned.precision,
    edgeShapes: planned.edgeShapes,
  });
}

/** A source kernel has its shapes baked in: it builds for the job's problem and nothing else. */
export function sourcePlan(problem: Problem, text: string, build: KernelBuilder): KernelPlan {
  const only: KernelBuilder = (p) =>
    canonicalJson(p) === canonicalJson(problem) ? build(p) : Promise.reject(new KevoError('UNAVAILABLE', 'a source kernel is written for one shape'));
  return { build: only, text, precision: 'f32', edgeShapes: false };
}
