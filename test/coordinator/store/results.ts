import type { Genome } from '../../../genome/genome.ts';
import type { MatmulProblem } from '../../../genome/ops/matmul-problem.ts';
import type { CpuFacts, DeviceClass } from '../../../protocol/device.ts';
import { PROTOCOL_VERSION, type KernelJob } from '../../../protocol/job.ts';
import { resultFor, type KernelResult, type MeasuredError } from '../../../protocol/result.ts';
import { HARNESS_VERSION } from '../../../verifiers/version.ts';

/** Valid wire messages for store tests: real schemas, small variations. */

export const problem512: MatmulProblem = { op: 'matmul', shape: { m: 512, n: 512, k: 512 }, dtype: 'f32' };
export const problem64: MatmulProblem = { op: 'matmul', shape: { m: 64, n: 64, k: 64 }, dtype: 'f32' };

export function wasmGenome(mr: number): Genome {
  return {
    op: 'matmul',
    backend: 'wasm',
    family: 'tiled',
    mr,
    nr: 8,
    kUnroll: 2,
    mc: 64,
    kc: 128,
    nc: 256,
    packA: false,
    packB: true,
    loopOrder: 'nkm',
    fma: false,
  };
}

export function webgpuGenome(tm: number): Genome {
  return {
    op: 'matmul',
    backend: 'webgpu',
    family: 'tiled',
    workgroupX: 8,
    workgroupY: 8,
    tm,
    tn: 4,
    vec: 4,
    kTile: 16,
    workgroupMemory: true,
    doubleBuffer: false,
    unroll: 2,
    precision: 'f32',
  };
}

const cpuFacts: CpuFacts = { backend: 'wasm', cpu: 'Test CPU', cores: 2, arch: 'x64', node: '20.0.0', v8: '11.3', simd: true, relaxedSimd: false };

export const cpuDevice: DeviceClass = { id: 'c0ffee0000000001', label: 'Test CPU x2, node 20', facts: cpuFacts };

export const otherCpuDevice: DeviceClass = { id: 'c0ffee0000000002', label: 'Other CPU', facts: { ...cpuFacts, cpu: 'Other CPU' } };

export const gpuDevice: DeviceClass = {
  id: 'a1b2c3d4e5f60718',
  label: 'lavapipe',
  facts: {
    backend: 'webgpu',
    vendor: 'mesa',
    architecture: '',
    device: 'llvmpipe',
    description: 'lavapipe',
    fallback: false,
    features: ['shader-f16'],
    limits: { maxComputeInvocationsPerWorkgroup: 256 },
  },
};

export function job(jobId: string, campaignId: string, genome: Genome, problem: MatmulProblem = problem512): KernelJob {
  return {
    v: PROTOCOL_VERSION,
    kind: 'kernel',
    jobId,
    campaignId,
    problem,
    genome,
    seed: 7,
    budgets: { deadlineMs: 60_000, timingMs: 1_500, minSamples: 5, maxSamples: 200 },
  };
}

/** An ok result whose kernel text is derived from the genome unless given. */
export function okResult(
  j: KernelJob,
  opts: { medianMs: number; baselineMedianMs?: number; device?: DeviceClass; text?: string; measuredError?: MeasuredError; harnessVersion?: number },
): KernelResult {
  const baselineMedianMs = opts.baselineMedianMs ?? 10;
  const language = j.genome.backend === 'wasm' ? 'wat' : 'wgsl';
  return resultFor(j, {
    status: 'ok',
    verdicts: [{ stage: 'smoke', ok: true, ms: 1.5 }],
    timing: {
      medianMs: opts.medianMs,
      p10Ms: opts.medianMs * 0.9,
      p90Ms: opts.medianMs * 1.2,
      samples: 20,
      gflops: 268.435456 / opts.medianMs,
      baselineMedianMs,
      baselineGflops: 26.8435456,
      speedup: baselineMedianMs / opts.medianMs,
    },
    ...(opts.measuredError ? { measuredError: opts.measuredError } : {}),
    deviceClass: opts.device ?? cpuDevice,
    kernel: { language, text: opts.text ?? `(module ;; ${JSON.stringify(j.genome)}\n)` },
    harnessVersion: opts.harnessVersion ?? HARNESS_VERSION,
    worker: 'test-worker',
    elapsedMs: 120,
  });
}

export function rejectedResult(j: KernelJob, device: DeviceClass = cpuDevice): KernelResult {
  return resultFor(j, {
    status: 'rejected',
    stage: 'numerical',
    reason: 'max relative error 3e-2 above tolerance 6e-5',
    verdicts: [
      { stage: 'smoke', ok: true, ms: 1 },
      { stage: 'numerical', ok: false, reason: 'max relative error 3e-2 above tolerance 6e-5', ms: 4 },
    ],
    deviceClass: device,
    kernel: { language: 'wat', text: `(module ;; wrong ${j.jobId}\n)` },
    harnessVersion: HARNESS_VERSION,
    worker: 'test-worker',
    elapsedMs: 30,
  });
}
