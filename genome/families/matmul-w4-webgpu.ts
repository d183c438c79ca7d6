import type { MatmulProblem } from '../ops/matmul-problem.ts';
import { matmul } from '../ops/matmul.ts';
import { describeTile } from '../webgpu/direct/genes.ts';
import { webgpuCaps } from '../webgpu/space.ts';
import { naiveW4Wgsl } from '../webgpu/w4/baseline.ts';
import { matmulW4Wgsl, type W4Shape } from '../webgpu/w4/codegen.ts';
import { MatmulW4WebgpuGenome } from '../webgpu/w4/genome.ts';
import { w4Space } from '../webgpu/w4/space.ts';
import { directCode } from './direct-code.ts';
import { defineFamily } from './family.ts';

/** w4 in WGSL: nibbles unpacked from u32 words, dequantized per weight in the inner loop (genome/webgpu/w4/). */
export const matmulW4Webgpu = defineFamily({
  op: matmul,
  backend: 'webgpu',
  name: 'w4',
  dtypes: ['w4'],
  genome: MatmulW4WebgpuGenome,
  space: (problem, device) => w4Space(problem.shape, webgpuCaps(device)),
  codegen: (genome, problem) => directCode(problem, matmulW4Wgsl(genome, w4Shape(problem)), genome),
  baseline: (problem) => directCode(problem, naiveW4Wgsl(w4Shape(problem)), null),
  precision: () => 'f32',
  unsupported: () => null,
  describe: (g) => describeTile(g),
});

function w4Shape(p: MatmulProblem): W4Shape {
  return { ...p.shape, group: p.group ?? 32, zeroPoint: p.zeroPoint ?? false };
}
