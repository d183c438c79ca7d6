import { baselineWat } from '../../genome/wasm/baseline.ts';
import { matmulWat } from '../../genome/wasm/codegen.ts';
import type { DeviceClass } from '../../protocol/device.ts';
import type { KernelJob } from '../../protocol/job.ts';
import type { KernelResult } from '../../protocol/result.ts';
import { evaluatePlanned, sourcePlan, type KernelPlan } from '../plan.ts';
import { wasmKernel } from './kernel.ts';

export interface WasmJobContext {
  readonly device: DeviceClass;
  readonly worker: string;
}

/** A wasm job from genome to result: codegen (or the genome's own text), then the backend-independent core. */
export function evaluateWasmJob(job: KernelJob, ctx: WasmJobContext): Promise<KernelResult> {
  return evaluatePlanned(job, ctx, 'wat', () => planFor(job, ctx.device), (problem) => wasmKernel(problem, baselineWat(problem)));
}

/** How to build the genome's kernels here, or why this worker cannot. */
function planFor(job: KernelJob, device: DeviceClass): KernelPlan | string {
  const { genome, problem } = job;
  if (genome.backend !== 'wasm') return `a ${genome.backend} genome cannot run on a wasm worker`;
  if (genome.family === 'source') return sourcePlan(problem, genome.text, (p) => wasmKernel(p, genome.text));
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
