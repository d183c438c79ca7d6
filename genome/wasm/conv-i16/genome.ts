import { z } from 'zod';
import type { ConvOpName } from '../../ops/conv/problem.ts';

/**
 * An i16 (dynamic fixed point) WASM SIMD convolution kernel: the direct
 * loop nests of genome/wasm/conv/plan.ts over int16 operands into i32
 * accumulators, a register tile of `tile` rows by `vectors` blocks of 8
 * output channels (two i32x4 accumulators each). `instruction` is how terms
 * multiply and add:
 * - dot16: i32x4.dot_i16x8_s on pairs of the reduction (dense: input
 *   channels C, bwd-data: K, bwd-weights: output pixels along x), one pair a
 *   32-bit lane, the other operand packed in pairs; dense ops only.
 * - extmul: i32x4.extmul_low/high_i16x8_s, one term a step: a broadcast
 *   value times 8 output channels (dense), or 8 channels times 8 channels
 *   (depthwise, which has no reduction over channels to pair).
 * Both wrap as i32 adds do, which is the contract.
 */
export const convI16WasmGenome = <N extends ConvOpName>(op: N) =>
  z
    .object({
      op: z.literal(op),
      backend: z.literal('wasm'),
      family: z.literal('int16'),
      instruction: z.enum(['dot16', 'extmul']),
      tile: z.number().int().min(1).max(8),
      vectors: z.number().int().min(1).max(4),
      /** Reduction steps per loop turn. */
      unroll: z.union([z.literal(1), z.literal(2), z.literal(4)]),
    })
    .strict();

export type ConvI16WasmGenome = z.infer<ReturnType<typeof convI16WasmGenome>>;
