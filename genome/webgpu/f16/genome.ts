import { z } from 'zod';
import { DirectTileGenes } from '../direct/genes.ts';

/**
 * A WGSL matmul over f16 tensors (A, B and C f16): the direct register tile
 * of ../direct/. `storage` says how the tensors are bound: `f16` as
 * array<f16> (shader-f16), or `packed` as array<u32> of two halves per word,
 * read with unpack2x16float and written with pack2x16float (any adapter).
 * `precision` says what the multiply-adds run in: f32, or f16 (shader-f16;
 * only where the problem's accuracy contract allows f16 rounding).
 */
export const MatmulF16WebgpuGenome = z
  .object({
    op: z.literal('matmul'),
    backend: z.literal('webgpu'),
    family: z.literal('f16'),
    ...DirectTileGenes,
    storage: z.enum(['f16', 'packed']),
    precision: z.enum(['f32', 'f16']),
  })
  .strict();
export type MatmulF16WebgpuGenome = z.infer<typeof MatmulF16WebgpuGenome>;

/** Whether the kernel needs the adapter's shader-f16 feature (`enable f16;`). */
export function needsShaderF16(g: Pick<MatmulF16WebgpuGenome, 'storage' | 'precision'>): boolean {
  return g.storage === 'f16' || g.precision === 'f16';
}
