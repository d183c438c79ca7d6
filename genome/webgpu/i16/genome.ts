import { z } from 'zod';
import { DirectTileGenes } from '../direct/genes.ts';

/**
 * An i16 dynamic fixed point WGSL matmul (A, B i16 -> C i32): the direct
 * register tile of ../direct/ over halves packed two to a u32 word (WGSL has
 * no 16-bit integer type). `unpack` says how a word becomes two i32 halves:
 * `shift` (arithmetic shifts: (w << 16) >> 16 and w >> 16) or `bits`
 * (extractBits). `combine` says how K blocks with their own exponents are
 * aligned: `block` sums each block in i32 and shifts the sum onto C's
 * exponent once per block, `step` scales every step's products by its
 * block's power of two (no block loop). A problem with one exponent per
 * tensor has nothing to combine: its space offers `block` only.
 */
export const MatmulI16WebgpuGenome = z
  .object({
    op: z.literal('matmul'),
    backend: z.literal('webgpu'),
    family: z.literal('i16'),
    ...DirectTileGenes,
    unpack: z.enum(['shift', 'bits']),
    combine: z.enum(['block', 'step']),
  })
  .strict();
export type MatmulI16WebgpuGenome = z.infer<typeof MatmulI16WebgpuGenome>;
