import type { ConvProblem } from '../ops/conv/problem.ts';
import { convOps } from '../ops/conv/ops.ts';
import type { Op } from '../ops/op.ts';
import { convWgsl, convWorkgroupBytes, type ConvGenes } from '../webgpu/conv/codegen.ts';
import { convF16WebgpuGenome, numbersOf, webgpuConvF16Space, type ConvF16WebgpuGenome } from '../webgpu/conv/f16.ts';
import { usesF16, type Numbers } from '../webgpu/conv/numbers.ts';
import { webgpuCaps } from '../webgpu/space.ts';
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

/** One of the six convolutions in WGSL (genome/webgpu/conv/): f32 throughout, or i16 operands into exact i32 sums (numbers.ts). */
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
    describe: (g: ConvWebgpuGenome) => describe(g),
  });
}

/**
 * One of the six convolutions over f16 tensors in WGSL: the same codegen,
 * array<f16> or packed storage, f32 or f16 sums (genome/webgpu/conv/f16.ts).
 * The baseline is the f32 family's, on packed halves (core WGSL, any
 * adapter) with f32 sums.
 */
function convF16Webgpu<P extends ConvProblem>(op: Op<P>): KernelFamily {
  return defineFamily({
    op,
    backend: 'webgpu',
    name: 'f16',
    dtypes: ['f16'],
    genome: convF16WebgpuGenome(op.name as P['op']) as never,
    space: (problem, device) => webgpuConvF16Space(problem, webgpuCaps(device)),
    codegen: (genome: ConvF16WebgpuGenome, problem) => wgslCode(problem, convWgsl(genome, problem, numbersOf(genome)), neededLimits(genome, problem, numbersOf(genome))),
    baseline: (problem) => wgslCode(problem, convWgsl(naive(problem), problem, { storage: 'packed', compute: 'f32' }), {}),
    precision: (genome: ConvF16WebgpuGenome) => genome.precision,
    unsupported: (genome: ConvF16WebgpuGenome, device) =>
      usesF16(numbersOf(genome)) && !webgpuCaps(device).features.includes('shader-f16')
        ? `storage ${genome.storage} with ${genome.precision} arithmetic needs the shader-f16 feature, which this adapter lacks`
        : null,
    describe: (g: ConvF16WebgpuGenome) => `${describe(g)}, ${g.storage === 'f16' ? 'array<f16>' : 'packed u32'} storage, ${g.precision} math`,
  });
}

/** The algorithm, staging and tile of a genome of either family. */
const describe = (g: ConvGenes) =>
  `${g.algorithm === 'gemm' ? `implicit GEMM${g.workgroupMemory ? `, staged kTile ${g.kTile}` : ''}` : `direct${g.workgroupMemory ? `, halo staged ${g.kTile} channels a stage` : ''}`}, ${g.workgroupX}x${g.workgroupY} threads x ${g.tm}x${g.tn * g.vec} tile, unroll ${g.unroll}`;

function wgslCode(problem: ConvProblem, kernel: WgslKernel, limits: Record<string, number>): KernelCode {
  return { language: 'wgsl', text: kernel.wgsl, launch: webgpuLaunch(problem, { ...kernel, limits }) };
}

/** Limits above WebGPU's defaults the kernel relies on; an exported loader requests them or says which are missing. */
function neededLimits(g: ConvGenes, p: ConvProblem, numbers?: Numbers): Record<string, number> {
  const limits: Record<string, number> = {};
  const bytes = convWorkgroupBytes(g, convPlan(p.op, geometry(p)), numbers);
  if (bytes > 16384) limits.maxComputeWorkgroupStorageSize = bytes;
  const threads = g.workgroupX * g.workgroupY;
  if (threads > 256) limits.maxComputeInvocationsPerWorkgroup = threads;
  return limits;
}

export const convWebgpuFamilies: readonly KernelFamily[] = convOps.map((op) => convWebgpu(op as Op<ConvProblem>));
export const convF16WebgpuFamilies: readonly KernelFamily[] = convOps.map((op) => convF16Webgpu(op as Op<ConvProblem>));
