import { numericAccuracy } from '../ops/accuracy.ts';
import { matmul } from '../ops/matmul.ts';
import { webgpuCaps } from '../webgpu/space.ts';
import { precisionCode } from '../webgpu/precision/codegen.ts';
import { MatmulPrecisionWebgpuGenome } from '../webgpu/precision/genome.ts';
import { webgpuPrecisionSpace } from '../webgpu/precision/space.ts';
import { defineFamily } from './family.ts';
import { matmulInt8Webgpu } from './matmul-int8-webgpu.ts';
import { matmulW4Webgpu } from './matmul-w4-webgpu.ts';
import { matmulWebgpu } from './matmul-webgpu.ts';

/** The family whose genome a precision's kernel is. */
const innerFamily = { f32: matmulWebgpu, f16: matmulWebgpu, i8: matmulInt8Webgpu, w4: matmulW4Webgpu } as const;

/**
 * f32 matmul under a numeric accuracy in WGSL, precision a gene
 * (genome/webgpu/precision/): f32, f16 inputs with f16 or f32 sums, or the
 * user's f32 inputs quantized to i8 or w4 inside the kernel, by the
 * schemes of the WASM precision family. The harness holds each to the
 * problem's max error, quantization included; the baseline is the f32 one,
 * so speedups compare across precisions and with plain f32 problems. It
 * replaces the tiled family's search only under a numeric accuracy.
 */
export const matmulPrecisionWebgpu = defineFamily({
  op: matmul,
  backend: 'webgpu',
  name: 'precision',
  offers: (problem) => (numericAccuracy(problem) === undefined ? false : 'replace'),
  genome: MatmulPrecisionWebgpuGenome,
  space: (problem, device) => webgpuPrecisionSpace(problem, webgpuCaps(device)),
  codegen: precisionCode,
  baseline: (problem) => matmulWebgpu.baseline(problem),
  // f16 inputs are judged as f16 whatever the sums: the rounding of the inputs dominates.
  precision: (genome) => (genome.precision === 'f32' ? matmulWebgpu.precision(genome.kernel) : genome.precision),
  unsupported: (genome, device) =>
    genome.precision === 'f16' && !webgpuCaps(device).features.includes('shader-f16')
      ? 'precision f16 computes in f16, which needs the shader-f16 feature this adapter lacks'
      : innerFamily[genome.precision].unsupported(genome.kernel, device),
  describe: (genome) =>
    `${genome.precision}${genome.precision === 'w4' ? ` g${genome.group}` : ''}${genome.precision === 'f16' ? ` (${genome.kernel.precision} sums)` : ''}: ${innerFamily[genome.precision].describe(genome.kernel)}`,
});
