import { familyOf } from '../genome/families/registry.ts';
import type { KernelCode } from '../genome/families/launch.ts';
import { isSourceGenome } from '../genome/genome.ts';
import type { Precision, Problem } from '../genome/ops/index.ts';
import { KevoError } from '../lib/errors.ts';
import { canonicalJson } from '../lib/hash.ts';
import type { DeviceClass } from '../protocol/device.ts';
import type { KernelJob } from '../protocol/job.ts';
import { resultFor, type KernelResult } from '../protocol/result.ts';
import type { Kernel, KernelBuilder } from '../verifiers/kernel.ts';
import { evaluateKernel } from './evaluate.ts';

/** How a backend turns a family's kernel code into a runnable Kernel (assemble and instantiate; compile a pipeline). */
export type CodeLoader = (problem: Problem, code: KernelCode) => Promise<Kernel>;

/** How a job's kernels are built: its family's code for the job's problem (and for edge shapes, unless it is a source). */
export interface KernelPlan {
  readonly build: KernelBuilder;
  readonly code: KernelCode;
  readonly precision: Precision;
  /** Whether the kernel builds for other shapes too (so the shape sweep can run its edge shapes). */
  readonly edgeShapes: boolean;
}

/**
 * The job's plan from its kernel family, or why this device cannot run the
 * genome. A source kernel has its shapes baked in: it builds for the job's
 * problem and nothing else.
 */
export function planFor(job: KernelJob, device: DeviceClass, load: CodeLoader): KernelPlan | string {
  const { genome, problem } = job;
  if (genome.backend !== device.facts.backend) return `a ${genome.backend} genome cannot run on a ${device.facts.backend} worker`;
  const family = familyOf(problem, genome);
  const unsupported = family.unsupported(genome, device);
  if (unsupported) return unsupported;
  const code = family.code(genome, problem);
  const precision = family.precision(genome);
  if (isSourceGenome(genome)) {
    const only: KernelBuilder = (p) =>
      canonicalJson(p) === canonicalJson(problem) ? load(p, code) : Promise.reject(new KevoError('UNAVAILABLE', 'a source kernel is written for one shape'));
    return { build: only, code, precision, edgeShapes: false };
  }
  return { build: (p) => load(p, family.code(genome, p)), code, precision, edgeShapes: true };
}

/**
 * A job from genome to result on any backend: the family's plan (or why this
 * worker cannot run the genome: status unsupported; a codegen that throws:
 * compile_error), then the backend-independent verify-and-time core against
 * the family's baseline.
 */
export async function evaluatePlanned(job: KernelJob, ctx: { device: DeviceClass; worker: string }, load: CodeLoader): Promise<KernelResult> {
  const start = performance.now();
  const early = (status: 'unsupported' | 'compile_error', stage: string, reason: string) =>
    resultFor(job, { status, stage, reason, verdicts: [], deviceClass: ctx.device, worker: ctx.worker, elapsedMs: performance.now() - start });
  let planned: KernelPlan | string;
  try {
    planned = planFor(job, ctx.device, load);
  } catch (error) {
    return early('compile_error', 'codegen', `codegen failed: ${(error as Error).message}`);
  }
  if (typeof planned === 'string') return early('unsupported', 'device', planned);
  const family = familyOf(job.problem, job.genome);
  return evaluateKernel({
    job,
    build: planned.build,
    buildBaseline: (p) => load(p, family.baseline(p)),
    device: ctx.device,
    source: planned.code,
    worker: ctx.worker,
    precision: planned.precision,
    edgeShapes: planned.edgeShapes,
  });
}
