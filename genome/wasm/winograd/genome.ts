import { z } from 'zod';

/**
 * A WASM SIMD conv2d kernel by Winograd F(2x2,3x3) (genome/wasm/winograd/):
 * the 16 elementwise products of a group of `tile` output tiles become 16
 * small GEMMs over the input channels, each a register tile of `tile` rows
 * (one per output tile) by `vectors` f32x4 of output channels.
 */
export const winogradWasmGenome = z
  .object({
    op: z.literal('conv2d'),
    backend: z.literal('wasm'),
    family: z.literal('winograd'),
    /** Output tiles a GEMM register tile covers (its rows): input tiles transformed together, sharing each U vector load. */
    tile: z.number().int().min(1).max(8),
    /** f32x4 of output channels per register tile row. */
    vectors: z.number().int().min(1).max(4),
    /** Input channels per turn of the GEMM loop. */
    unroll: z.union([z.literal(1), z.literal(2), z.literal(4)]),
    /** f32x4.relaxed_madd in the GEMMs: only where the runtime has relaxed SIMD. */
    fma: z.boolean(),
  })
  .strict();

export type WinogradWasmGenome = z.infer<typeof winogradWasmGenome>;
