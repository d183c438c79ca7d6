import type { MatmulProblem } from '../ops/matmul-problem.ts';
import { matmul } from '../ops/matmul.ts';
import { describeTile } from '../webgpu/direct/genes.ts';
import { webgpuCaps } from '../webgpu/space.ts';
import { naiveW4a8Wgsl } from '../webgpu/w4a8/baseline.ts';
import { matmulW4a8Wgsl, type W4a8Shape } from '../webgpu/w4a8/codegen.ts';
import { MatmulW4a8WebgpuGenome } from '../webgpu/w4a8/genome.ts';
import { w4a8Space } from '../webgpu/w4a8/space.ts';
import { directCode } from './direct-code.ts';
import { packedDotMissing } from './matmul-int8-webgpu.ts';
import { defineFamily } from './family.ts';

/** w4a8 in WGSL: int8 A x signed nibbles, exact i32 sums per group, scaled per group and row (genome/webgpu/w4a8/). */
export const matmulW4a8Webgpu = defineFamily({
  op: matmul,
  backend: 'webgpu',
  name: 'w4a8',
  dtypes: ['w4a8'],
  genome: MatmulW4a8WebgpuGenome,
  space: (problem, device) => w4a8Space(problem.shape, webgpuCaps(device)),
  codegen: (genome, problem) => directCode(problem, matmulW4a8Wgsl(genome, w4a8Shape(problem)), genome),
  baseline: (problem) => directCode(problem, naiveW4a8Wgsl(w4a8Shape(problem)), null),
  // Exact integer sums per group, then one f32 rounding per scaling and addition: within the f32 error model.
  precision: () => 'f32',
  unsupported: (genome, device) => packedDotMissing(genome.instruction, device),
  describe: (g) => `${describeTile(g)}, ${g.instruction}`,
});

function w4a8Shape(p: MatmulProblem): W4a8Shape {
  return { ...p.shape, group: p.group ?? 32 };
}
