import { matmul } from '../ops/matmul.ts';
import { webgpuCaps } from '../webgpu/space.ts';
import { describeTile } from '../webgpu/direct/genes.ts';
import { naiveF16Wgsl } from '../webgpu/f16/baseline.ts';
import { matmulF16Wgsl } from '../webgpu/f16/codegen.ts';
import { MatmulF16WebgpuGenome, needsShaderF16 } from '../webgpu/f16/genome.ts';
import { f16Space } from '../webgpu/f16/space.ts';
import { directCode } from './direct-code.ts';
import { defineFamily } from './family.ts';

/** f16 storage in WGSL: array<f16> or u32-packed halves, f32 or f16 arithmetic (genome/webgpu/f16/). */
export const matmulF16Webgpu = defineFamily({
  op: matmul,
  backend: 'webgpu',
  name: 'f16',
  dtypes: ['f16'],
  genome: MatmulF16WebgpuGenome,
  space: (problem, device) => f16Space(problem, webgpuCaps(device)),
  codegen: (genome, problem) => directCode(problem, matmulF16Wgsl(genome, problem.shape), genome),
  baseline: (problem) => directCode(problem, naiveF16Wgsl(problem.shape), null),
  precision: (genome) => genome.precision,
  unsupported: (genome, device) =>
    needsShaderF16(genome) && !webgpuCaps(device).features.includes('shader-f16')
      ? `storage ${genome.storage} with ${genome.precision} arithmetic needs the shader-f16 feature, which this adapter lacks`
      : null,
  describe: (g) => `${describeTile(g)}, ${g.storage === 'f16' ? 'array<f16>' : 'packed u32'} storage, ${g.precision} math`,
});
