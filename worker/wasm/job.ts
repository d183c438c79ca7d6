import { baselineWat } from '../../genome/wasm/baseline.ts';
import { matmulWat } from '../../genome/wasm/codegen.ts';
import type { Precision, Problem } from '../../genome/ops/index.ts';
import { KevoError } from '../../lib/errors.ts';
import { canonicalJson } from '../../lib/hash.ts';
import type { DeviceClass } from '../../protocol/device.ts';
import type { KernelJob } from '../../protocol/job.ts';
import type { KernelResult } from '../../protocol/result.ts';
import type { KernelBuilder } from '../../verifiers/kernel.ts';
import { evaluateKernel } from '../evaluate.ts';
import { resultFor } from '../../protocol/result.ts';
import { wasmKernel } from './kernel.ts';

export interface WasmJobContext {
  readonly device: DeviceClass;
  readonly worker: string;
}

interface Plan {
  readonly build: KernelBuilder;
  readonly text: string;
  readonly precision: Precision;
  readonly edgeShapes: boolean;
}

/** A wasm job from genome to result: codegen (or the genome's own text), then the backend-independent core. */
export async function evaluateWasmJob(job: KernelJob, ctx: WasmJobContext): Promise<KernelResult> {
  const start = performance.now();
  const early = (status: 'unsupported' | 'compile_error', stage: string, reason: string) =>
    resultFor(job, { status, stage, reason, verdicts: [], deviceClass: ctx.device, worker: ctx.worker, elapsedMs: performance.now() - start });
  let plan: Plan | string;
  try {
    plan = planFor(job, ctx.device);
  } catch (error) {
    return early('compile_error', 'codegen', `codegen failed: ${(error as Error).message}`);
  }
  if (typeof plan === 'string') return early('unsupported', 'device', plan);
  return evaluateKernel({
    job,
    build: plan.build,
    buildBaseline: (problem) => wasmKernel(problem, baselineWat(problem)),
    device: ctx.device,
    source: { language: 'wat', text: plan.text },
    worker: ctx.worker,
    precision: plan.precision,
    edgeShapes: plan.edgeShapes,
  });
}

/** How to build the genome's kernels here, or why this worker cannot. */
function planFor(job: KernelJob, device: DeviceClass): Plan | string {
  const { genome, problem } = job;
  if (genome.backend !== 'wasm') return `a ${genome.backend} genome cannot run on a wasm worker`;
  if (genome.family === 'source') {
    const text = genome.text;
    // The text has its shapes baked in: it builds for the job's problem and nothing else.
    const build: KernelBuilder = (p) =>
      sameProblem(p, problem) ? wasmKernel(p, text) : Promise.reject(new KevoError('UNAVAILABLE', 'a source kernel is written for one shape'));
    return { build, text, precision: 'f32', edgeShapes: false };
  }
  if (genome.fma && !(device.facts.backend === 'wasm' && device.facts.relaxedSimd)) {
    return 'the genome uses f32x4.relaxed_madd (fma) but relaxed SIMD is off on this worker (start it with relaxed SIMD enabled)';
  }
  return {
    build: (p) => wasmKernel(p, matmulWat(genome, p)),
    text: matmulWat(genome, problem),
    precision: genome.fma ? 'f32-fma' : 'f32',
    edgeShapes: true,
  };
}

function sameProblem(a: Problem, b: Problem): boolean {
  return canonicalJson(a) === canonicalJson(b);
}
