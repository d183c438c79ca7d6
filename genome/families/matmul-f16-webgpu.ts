import type { MatmulProblem } from '../ops/matmul-problem.ts';
import { matmul } from '../ops/matmul.ts';
import { webgpuCaps } from '../webgpu/space.ts';
import { describeTile, directLimits } from '../webgpu/direct/genes.ts';
import { naiveF16Wgsl } from '../webgpu/f16/baseline.ts';
import { matmulF16Wgsl, type F16Kernel } from '../webgpu/f16/codegen.ts';
import { MatmulF16WebgpuGenome, needsShaderF16 } from '../webgpu/f16/genome.ts';
import { f16Space } from '../webgpu/f16/space.ts';
import { webgpuLaunch } from './abi.ts';
import { defineFamily } from './family.ts';
import type { KernelCode } from './launch.ts';

/** f16 storage in WGSL: array<f16> or u32-packed halves, f32 or f16 arithmetic (genome/webgpu/f16/). */
export const matmulF16Webgpu = defineFamily({
  op: matmul,
  backend: 'webgpu',
  name: 'f16',
  dtypes: ['f16'],
  genome: MatmulF16WebgpuGenome,
  space: (problem, device) => f16Space(problem, webgpuCaps(device)),
  codegen: (genome, problem) => code(problem, matmulF16Wgsl(genome, problem.shape), directLimits(genome)),
  baseline: (problem) => code(problem, naiveF16Wgsl(problem.shape), {}),
  precision: (genome) => genome.precision,
  unsupported: (genome, device) =>
    needsShaderF16(genome) && !webgpuCaps(device).features.includes('shader-f16')
      ? `storage ${genome.storage} with ${genome.precision} arithmetic needs the shader-f16 feature, which this adapter lacks`
      : null,
  describe: (g) => `${describeTile(g)}, ${g.storage === 'f16' ? 'array<f16>' : 'packed u32'} storage, ${g.precision} math`,
});

function code(problem: MatmulProblem, kernel: F16Kernel, limits: Record<string, number>): KernelCode {
  return { language: 'wgsl', text: kernel.wgsl, launch: webgpuLaunch(problem, { ...kernel, limits }) };
}
