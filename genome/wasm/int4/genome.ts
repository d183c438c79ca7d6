import { z } from 'zod';
import { MatmulWasmGenome } from '../genome.ts';

/** The f32 tiled kernel's genes, for the 4-bit kernel that dequantizes B into f32 first. */
export const GemmGenes = MatmulWasmGenome.omit({ op: true, backend: true, family: true, epilogue: true });
export type GemmGenes = z.infer<typeof GemmGenes>;

const common = { op: z.literal('matmul').default('matmul'), backend: z.literal('wasm'), family: z.literal('int4') };

/**
 * A WASM SIMD kernel for the 4-bit matmuls (w4, w4a8). Where dequantization
 * happens is the first gene:
 * - inline: B stays packed and is unpacked nibble by nibble in the inner loop
 *   (v128.and / i8x16.shr), read once per tile of mr rows: the GEMV's choice,
 *   memory bound, streaming the 4-bit weights. A is repacked per call into
 *   the order the nibbles come out in (per 32 k: the even k, then the odd).
 * - pack: B is dequantized into an f32 K x N matrix once, at load time (the
 *   launch's prepare, timed apart as XNNPACK's packing is), then per call the
 *   f32 tiled kernel of genome/wasm runs with `gemm`'s genes on it; w4a8
 *   dequantizes A per call too. With `gemm.packB` 'load' the load-time step
 *   writes W straight into that kernel's panels, so a call only multiplies.
 */
export const Int4WasmGenome = z.discriminatedUnion('dequant', [
  z
    .object({
      ...common,
      dequant: z.literal('inline'),
      /** Rows of A (and C) per tile: each unpacked weight vector is used this many times. */
      mr: z.number().int().min(1).max(4),
      /** Columns of B (and C) per tile: each A vector loaded is used this many times. */
      nr: z.number().int().min(1).max(4),
      /**
       * w4: multiply each dequantized weight vector by its group scale before
       * the multiply-adds (weight), or sum a group's unscaled products and scale
       * the partial sum once (group). w4a8 sums exact integers per group and
       * always scales after.
       */
      scale: z.enum(['group', 'weight']),
      /**
       * w4: independent accumulators per output element, so the multiply-adds
       * of one k chunk do not wait on each other's latency (a 1x1 tile with
       * one chain is latency bound); summed when the group (or K) ends.
       */
      chains: z.number().int().min(1).max(4),
      /**
       * Relaxed SIMD instructions (only where the runtime has them). w4a8: the
       * integer dot as one i32x4.relaxed_dot_i8x16_i7x16_add_s per 16 products
       * (legal: a nibble is 7-bit safe as its second operand) instead of
       * widening the nibbles to i16 for i32x4.dot_i16x8_s against A repacked
       * as i16. w4: f32x4.relaxed_madd instead of a mul and an add.
       */
      relaxed: z.boolean(),
    })
    .strict(),
  z.object({ ...common, dequant: z.literal('pack'), gemm: GemmGenes }).strict(),
]);
export type Int4WasmGenome = z.infer<typeof Int4WasmGenome>;
export type InlineGenome = Extract<Int4WasmGenome, { dequant: 'inline' }>;
export type PackGenome = Extract<Int4WasmGenome, { dequant: 'pack' }>;
