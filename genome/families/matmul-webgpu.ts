import type { MatmulProblem } from '../ops/matmul-problem.ts';
import { matmul } from '../ops/matmul.ts';
import { naiveMatmulWgsl } from '../webgpu/baseline.ts';
import { matmulWgsl, workgroupBytes, type WgslKernel } from '../webgpu/codegen.ts';
import { MatmulWebgpuGenome } from '../webgpu/genome.ts';
import { webgpuMatmulSpace } from '../webgpu/space.ts';
import { webgpuLaunch } from './abi.ts';
import { defineFamily } from './family.ts';
import type { KernelCode } from './launch.ts';

/** Matmul in WGSL: workgroups of register tiles, optionally staged in workgroup memory (genome/webgpu/). */
export const matmulWebgpu = defineFamily({
  op: matmul,
  backend: 'webgpu',
  name: 'tiled',
  genome: MatmulWebgpuGenome,
  space: (problem, device) =>
    webgpuMatmulSpace(problem, device.facts.backend === 'webgpu' ? { features: device.facts.features, limits: device.facts.limits } : { features: [], limits: {} }),
  codegen: (genome, problem) => tiledCode(genome, problem),
  baseline: (problem) => wgslCode(problem, naiveMatmulWgsl(problem), {}),
  precision: (genome) => genome.precision,
  unsupported: (genome, device) =>
    genome.precision === 'f16' && !(device.facts.backend === 'webgpu' && device.facts.features.includes('shader-f16'))
      ? 'the genome computes in f16 but this adapter lacks shader-f16'
      : null,
  describe: (g) =>
    `${g.workgroupX}x${g.workgroupY} threads x ${g.tm}x${g.tn * g.vec} tile, kTile ${g.kTile}${g.workgroupMemory ? ', staged' : ''}${g.doubleBuffer ? ' x2' : ''}, unroll ${g.unroll}, ${g.precision}`,
});

/** The tiled kernel with the ABI's launch; `sums` f32 under f16 math widens each product into f32 accumulators (the precision family's f16). */
export function tiledCode(genome: MatmulWebgpuGenome, problem: MatmulProblem, sums = genome.precision): KernelCode {
  return wgslCode(problem, matmulWgsl(genome, problem, sums), neededLimits(genome, problem));
}

function wgslCode(problem: MatmulProblem, kernel: WgslKernel, limits: Record<string, number>): KernelCode {
  return { language: 'wgsl', text: kernel.wgsl, launch: webgpuLaunch(problem, { ...kernel, limits }) };
}

/** Limits above WebGPU's defaults the kernel relies on; an exported loader requests them or says which are missing. */
function neededLimits(g: MatmulWebgpuGenome, p: MatmulProblem): Record<string, number> {
  const limits: Record<string, number> = {};
  const bytes = workgroupBytes(g, p.shape.k);
  if (bytes > 16384) limits.maxComputeWorkgroupStorageSize = bytes;
  const threads = g.workgroupX * g.workgroupY;
  if (threads > 256) limits.maxComputeInvocationsPerWorkgroup = threads;
  if (g.workgroupX > 256) limits.maxComputeWorkgroupSizeX = g.workgroupX;
  if (g.workgroupY > 256) limits.maxComputeWorkgroupSizeY = g.workgroupY;
  return limits;
}
