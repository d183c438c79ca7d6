import type { MatmulProblem } from '../ops/matmul-problem.ts';
import type { Target } from '../target.ts';
import { matmul } from '../ops/matmul.ts';
import { webgpuCaps } from '../webgpu/space.ts';
import { describeTile } from '../webgpu/direct/genes.ts';
import { naiveInt8Wgsl } from '../webgpu/int8/baseline.ts';
import { matmulInt8Wgsl, type Int8Scheme } from '../webgpu/int8/codegen.ts';
import { MatmulInt8WebgpuGenome, PACKED_DOT } from '../webgpu/int8/genome.ts';
import { int8Space } from '../webgpu/int8/space.ts';
import { directCode } from './direct-code.ts';
import { defineFamily } from './family.ts';

/** Integer matmul in WGSL (i8, and u8i8 with zero points): bytes packed in u32 words, exact i32 results (genome/webgpu/int8/). */
export const matmulInt8Webgpu = defineFamily({
  op: matmul,
  backend: 'webgpu',
  name: 'int8',
  dtypes: ['i8', 'u8i8'],
  genome: MatmulInt8WebgpuGenome,
  space: (problem, device) => int8Space(problem.shape, webgpuCaps(device)),
  codegen: (genome, problem) => directCode(problem, matmulInt8Wgsl(genome, problem.shape, scheme(problem)), genome),
  baseline: (problem) => directCode(problem, naiveInt8Wgsl(problem.shape, scheme(problem)), null),
  // Exact integers: no rounding to model, and f32 is the strictest class an accuracy contract names.
  precision: () => 'f32',
  unsupported: (genome, device) => packedDotMissing(genome.instruction, device),
  describe: (g) => `${describeTile(g)}, ${g.instruction}`,
});

/** Why an instruction other than `bits` cannot run on a device whose WGSL compiler lacks the packed 4x8 dot product (int8 and w4a8 families); null where it can. */
export function packedDotMissing(instruction: string, device: Target): string | null {
  return instruction !== 'bits' && !webgpuCaps(device).wgslFeatures?.includes(PACKED_DOT)
    ? `instruction ${instruction} needs WGSL's ${PACKED_DOT} language feature, which this adapter's compiler lacks`
    : null;
}

function scheme(problem: MatmulProblem): Int8Scheme {
  return problem.dtype === 'u8i8' ? 'u8i8' : 'i8';
}
