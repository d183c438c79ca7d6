import { z } from 'zod';
import { MatmulGroup } from '../../ops/matmul-problem.ts';
import { MatmulWebgpuGenome } from '../genome.ts';
import { MatmulInt8WebgpuGenome } from '../int8/genome.ts';
import { MatmulW4WebgpuGenome } from '../w4/genome.ts';

const common = { op: z.literal('matmul'), backend: z.literal('webgpu'), family: z.literal('precision') };

/**
 * An f32 matmul under a numeric accuracy on WebGPU, precision a gene. The
 * ABI stays the user's (f32 A, B in, f32 C out) and every kernel quantizes
 * inside itself, from values it reads anyway (WebGPU kernels have no
 * scratch buffer); `kernel` is the genome of the kernel that multiplies, in
 * its own family's schema:
 * - f32: the tiled kernel (its precision gene f32);
 * - f16: the tiled kernel in f16 math (A and B rounded to f16 as they
 *   load, f16 products), its precision gene the sums' type: f16, or f32
 *   (each product widened into f32 accumulators);
 * - i8: the int8 tile on A per row and B per column quantized to symmetric
 *   int8 (scale = max |x| / 127, each thread finding its rows' and columns'
 *   maxima first), the i32 sums rescaled to f32;
 * - w4: the w4 tile on B quantized per column in groups of `group` along K
 *   (scale = max |x| / 7, zero point 8: MatMulNBits' scheme), f32 A.
 * The schemes are the WASM precision family's (genome/wasm/precision/).
 */
export const MatmulPrecisionWebgpuGenome = z.discriminatedUnion('precision', [
  z.object({ ...common, precision: z.literal('f32'), kernel: MatmulWebgpuGenome }).strict(),
  z.object({ ...common, precision: z.literal('f16'), kernel: MatmulWebgpuGenome }).strict(),
  z.object({ ...common, precision: z.literal('i8'), kernel: MatmulInt8WebgpuGenome }).strict(),
  z.object({ ...common, precision: z.literal('w4'), group: MatmulGroup, kernel: MatmulW4WebgpuGenome }).strict(),
]);
export type MatmulPrecisionWebgpuGenome = z.infer<typeof MatmulPrecisionWebgpuGenome>;
