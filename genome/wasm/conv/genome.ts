import { z } from 'zod';
import type { ConvOpName } from '../../ops/conv/problem.ts';

/**
 * A WASM SIMD convolution kernel, direct algorithm (genome/wasm/conv/): a
 * register tile of `tile` rows by `vectors` v128 columns of the vectorized
 * channel, walked over the output. What a row is depends on the op: an output
 * pixel (forward, bwd-data), an input channel (conv2d-bwd-weights) or a tap
 * along the window's width (dwconv2d-bwd-weights). The same schema for all
 * six ops, the op a literal.
 */
export const convWasmGenome = <N extends ConvOpName>(op: N) =>
  z
    .object({
      op: z.literal(op),
      backend: z.literal('wasm'),
      family: z.literal('direct'),
      tile: z.number().int().min(1).max(8),
      vectors: z.number().int().min(1).max(4),
      /** Reduction steps per loop turn (each at a constant offset from the bumped pointers). */
      unroll: z.union([z.literal(1), z.literal(2), z.literal(4)]),
      /** Outermost loop: over output rows, channel blocks inside (pixels: an input row stays in L1), or channel blocks outermost (channels: a weight block stays in L1). */
      order: z.enum(['pixels', 'channels']),
      /** f32x4.relaxed_madd: only where the runtime has relaxed SIMD. */
      fma: z.boolean(),
    })
    .strict();

export type ConvWasmGenome = z.infer<ReturnType<typeof convWasmGenome>>;
