import { z } from 'zod';
import { DirectTileGenes } from '../direct/genes.ts';

/**
 * An integer WGSL matmul (A i8 or u8, B i8, C i32): the direct register tile
 * of ../direct/, over bytes packed four to a u32 word (WGSL has no 8-bit
 * storage type). `instruction` says how four bytes become four products:
 * `dot4` (dot4I8Packed / dot4U8Packed on packed words, B's bytes transposed
 * into k-order words), `unpack` (unpack4xI8 / unpack4xU8, then vector
 * multiply-adds), both behind WGSL's packed_4x8_integer_dot_product
 * language feature, or `bits` (extractBits, core WGSL).
 */
export const MatmulInt8WebgpuGenome = z
  .object({
    op: z.literal('matmul'),
    backend: z.literal('webgpu'),
    family: z.literal('int8'),
    ...DirectTileGenes,
    instruction: z.enum(['dot4', 'unpack', 'bits']),
  })
  .strict();
export type MatmulInt8WebgpuGenome = z.infer<typeof MatmulInt8WebgpuGenome>;

/** The WGSL language feature the dot4 and unpack instructions need. */
export const PACKED_DOT = 'packed_4x8_integer_dot_product';
