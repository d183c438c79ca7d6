import type { ConvProblem } from '../ops/conv/problem.ts';
import { convOps } from '../ops/conv/ops.ts';
import type { Op } from '../ops/op.ts';
import { convWgsl, convWorkgroupBytes } from '../webgpu/conv/codegen.ts';
import { convWebgpuGenome, type ConvWebgpuGenome } from '../webgpu/conv/genome.ts';
import { convPlan } from '../webgpu/conv/plan.ts';
import { webgpuConvSpace } from '../webgpu/conv/space.ts';
import type { WgslKernel } from '../webgpu/codegen.ts';
import { geometry } from '../ops/conv/geometry.ts';
import { webgpuLaunch } from './abi.ts';
import { defineFamily, type KernelFamily } from './family.ts';
import type { KernelCode } from './launch.ts';

/**
 * The baseline, fixed forever: one thread per output element of an 8x8
 * workgroup, the direct loop straight from storage, and an epilogue as a
 * framework without fusion runs it (one pass per stage).
 */
const naive = (p: ConvProblem): ConvWebgpuGenome => ({
  op: p.op,
  backend: 'webgpu',
  family: 'conv',
  algorithm: 'direct',
  workgroupX: 8,
  workgroupY: 8,
  tm: 1,
  tn: 1,
  vec: 1,
  workgroupMemory: false,
  kTile: 1,
  unroll: 1,
  ...(p.epilogue ? { epilogue: 'pass' as const } : {}),
});

/** One of the six convolutions in WGSL (genome/webgpu/conv/): f32 throughout, or i16 operands into exact i32 sums. */
function convWebgpu<P extends ConvProblem>(op: Op<P>): KernelFamily {
  return defineFamily({
    op,
    backend: 'webgpu',
    name: 'conv',
    // i16: int16 operands unpacked from words, i32 sums (codegen.ts), the same genes.
    dtypes: ['f32', 'i16'],
    genome: convWebgpuGenome(op.name as P['op']) as never,
    space: (problem, device) =>
      webgpuConvSpace(problem, device.facts.backend === 'webgpu' ? { features: device.facts.features, limits: device.facts.limits } : { features: [], limits: {} }),
    codegen: (genome: ConvWebgpuGenome, problem) => wgslCode(problem, convWgsl(genome, problem), neededLimits(genome, problem)),
    baseline: (problem) => wgslCode(problem, convWgsl(naive(problem), problem), {}),
    precision: () => 'f32',
    unsupported: () => null,
    describe: (g: ConvWebgpuGenome) =>
      `${g.algorithm === 'gemm' ? `implicit GEMM${g.workgroupMemory ? `, staged kTile ${g.kTile}` : ''}` : 'direct'}, ${g.workgroupX}x${g.workgroupY} threads x ${g.tm}x${g.tn * g.vec} tile, unroll ${g.unroll}`,
  });
}

function wgslCode(problem: ConvProblem, kernel: WgslKernel, limits: Record<string, number>): KernelCode {
  return { language: 'wgsl', text: kernel.wgsl, launch: webgpuLaunch(problem, { ...kernel, limits }) };
}

/** Limits above WebGPU's defaults the kernel relies on; an exported loader requests them or says which are missing. */
function neededLimits(g: ConvWebgpuGenome, p: ConvProblem): Record<string, number> {
  const limits: Record<string, number> = {};
  const bytes = convWorkgroupBytes(g, convPlan(p.op, geometry(p)));
  if (bytes > 16384) limits.maxComputeWorkgroupStorageSize = bytes;
  const threads = g.workgroupX * g.workgroupY;
  if (threads > 256) limits.maxComputeInvocationsPerWorkgroup = threads;
  return limits;
}

export const convWebgpuFamilies: readonly KernelFamily[] = convOps.map((op) => convWebgpu(op as Op<ConvProblem>));
