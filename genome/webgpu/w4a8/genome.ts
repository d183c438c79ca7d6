import { z } from 'zod';
import { DirectTileGenes } from '../direct/genes.ts';

/**
 * w4a8 in WGSL (COMET-style: int8 A with an f32 scale per row, signed 4-bit
 * B in ONNX Runtime's MatMulNBits layout with an f32 scale per column and
 * group): the direct register tile of ../direct/ stepping K eight at a time,
 * exact i32 sums per group, scaled once per group. `instruction` says how
 * eight nibbles meet eight bytes of A: `dot4` (nibbles sign-extended to
 * bytes, two dot4I8Packed, behind WGSL's packed_4x8_integer_dot_product) or
 * `bits` (extractBits, core WGSL).
 */
export const MatmulW4a8WebgpuGenome = z
  .object({
    op: z.literal('matmul'),
    backend: z.literal('webgpu'),
    family: z.literal('w4a8'),
    ...DirectTileGenes,
    instruction: z.enum(['dot4', 'bits']),
  })
  .strict();
export type MatmulW4a8WebgpuGenome = z.infer<typeof MatmulW4a8WebgpuGenome>;
