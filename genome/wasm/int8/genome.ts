import { z } from 'zod';

/**
 * An integer WASM SIMD matmul (dtype schemes i8, u8i8 and i16): an mr x nr
 * register tile of i32x4 accumulators over B packed into the workspace in
 * pairs of K, two A values broadcast per k pair. `instruction` is how a pair
 * of k steps multiplies and adds:
 * - dot16: A and B widened to i16 (zero points subtracted on the way), then
 *   i32x4.dot_i16x8_s: exact for every u8/i8 value and zero point (i16
 *   mantissas go in as they are);
 * - extmul: i16x8.extmul_low/high_i8x16_s then i32x4.extadd_pairwise_i16x8_s
 *   on the raw bytes (B packed as bytes, half the memory of dot16): i8 only,
 *   since u8 - zero point leaves the byte range.
 * Relaxed SIMD's i8 dot products are not genes: the i7 operand must be in
 * 0..127 (x64 reads it unsigned and saturates), which full-range i8 B is not,
 * and V8 11.3's i32x4.relaxed_dot_i8x16_i7x16_add_s doubles its products
 * (measured here, test/genome/wasm/int8/relaxed.test.ts).
 */
export const MatmulInt8WasmGenome = z
  .object({
    op: z.literal('matmul'),
    backend: z.literal('wasm'),
    family: z.literal('int8'),
    instruction: z.enum(['dot16', 'extmul']),
    mr: z.number().int().min(1).max(8),
    /** Columns per tile, 4 per i32x4 accumulator (extmul: a multiple of 8, one packed B vector per 8 columns). */
    nr: z.number().int().multipleOf(4).min(4).max(16),
    /** k steps (pairs, or 8 k with c8) per loop turn. */
    kUnroll: z.number().int().min(1).max(4),
    /**
     * dot16 only: A packed once per call into i16 pairs less its zero point,
     * so a row's k pair is one v128.load32_splat instead of a load, a widen
     * and a subtract per column block. Absent: A read in place.
     */
    packA: z.literal(true).optional(),
    /**
     * dot16 with packA only: XNNPACK's c8 layout (src/qs8-gemm MRx4c8): a
     * B vector holds one column's 8 k values, an A vector one row's, and
     * each (row, column) has its own accumulator of 4 partial sums, added
     * across lanes once per tile. No broadcast per row and step: a step is
     * nr + mr plain loads and mr x nr dot-and-adds. Absent: c2, a B vector
     * holds 4 columns' k pairs, a row's pair broadcast to it.
     */
    c8: z.literal(true).optional(),
    /**
     * dot16 with packA, i8 and u8i8 only: B packed as its raw bytes and
     * widened by each load (v128.load8x8_s), half the bytes a step streams
     * (a GEMV reads each weight once); u8i8's B zero point then comes off
     * at the store as zb x the row's sum of A less its zero point, as
     * XNNPACK and MLAS take zero points off through sums. Absent: B packed
     * as i16, less its zero point.
     */
    narrowB: z.literal(true).optional(),
  })
  .strict();
export type MatmulInt8WasmGenome = z.infer<typeof MatmulInt8WasmGenome>;
