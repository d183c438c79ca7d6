import type { MatmulProblem } from '../ops/matmul-problem.ts';
import { matmul } from '../ops/matmul.ts';
import { describeTile } from '../webgpu/direct/genes.ts';
import { naiveI16Wgsl } from '../webgpu/i16/baseline.ts';
import { matmulI16Wgsl, type I16Shape } from '../webgpu/i16/codegen.ts';
import { MatmulI16WebgpuGenome } from '../webgpu/i16/genome.ts';
import { i16Space } from '../webgpu/i16/space.ts';
import { webgpuCaps } from '../webgpu/space.ts';
import type { Int8Kernel } from '../webgpu/int8/codegen.ts';
import { directCode } from './direct-code.ts';
import type { WebgpuLaunch } from './launch.ts';
import { defineFamily } from './family.ts';

/**
 * i16 dynamic fixed point in WGSL: halves unpacked from u32 words, exact wrapping i32 results, optionally with
 * block exponents along K, optionally requantized to i16 with a shift in two more passes (genome/webgpu/i16/).
 */
export const matmulI16Webgpu = defineFamily({
  op: matmul,
  backend: 'webgpu',
  name: 'i16',
  dtypes: ['i16'],
  genome: MatmulI16WebgpuGenome,
  space: (problem, device) => i16Space(problem.shape, problem.exponentBlock, webgpuCaps(device)),
  codegen: (genome, problem) => directCode(problem, withPasses(problem, matmulI16Wgsl(genome, i16Shape(problem))), genome),
  baseline: (problem) => directCode(problem, withPasses(problem, naiveI16Wgsl(i16Shape(problem))), null),
  // Exact integers: no rounding to model, and f32 is the strictest class an accuracy contract names.
  precision: () => 'f32',
  unsupported: () => null,
  describe: (g) => `${describeTile(g)}, ${g.unpack}, combine ${g.combine}`,
});

function i16Shape(p: MatmulProblem): I16Shape {
  return { ...p.shape, exponentBlock: p.exponentBlock, requantized: p.output === 'i16' };
}

/** A requantizing kernel's `main` zeroes c_shift; its `shift` and `store` entries follow over the same grid (genome/webgpu/i16/requantize.ts). */
function withPasses<K extends Int8Kernel>(p: MatmulProblem, kernel: K): K & { passes?: NonNullable<WebgpuLaunch['passes']> } {
  if (p.output !== 'i16') return kernel;
  const dispatch: [number, number, number] = [Math.ceil(p.shape.n / kernel.tile.cols), Math.ceil(p.shape.m / kernel.tile.rows), 1];
  return { ...kernel, passes: ['shift', 'store'].map((entry) => ({ entry, workgroupSize: kernel.workgroupSize, dispatch })) };
}
