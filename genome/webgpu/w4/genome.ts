import { z } from 'zod';
import { DirectTileGenes } from '../direct/genes.ts';

/**
 * w4 in WGSL (f32 A, 4-bit B in ONNX Runtime's MatMulNBits layout with an
 * f32 scale per column and group, zero points packed or 8): the direct
 * register tile of ../direct/ stepping K eight at a time, one u32 word of
 * B (eight nibbles of one column) per column per step, dequantized in the
 * inner loop.
 */
export const MatmulW4WebgpuGenome = z
  .object({
    op: z.literal('matmul'),
    backend: z.literal('webgpu'),
    family: z.literal('w4'),
    ...DirectTileGenes,
  })
  .strict();
export type MatmulW4WebgpuGenome = z.infer<typeof MatmulW4WebgpuGenome>;
