import { z } from 'zod';

/** Order of the three cache-block loops, outermost first (GotoBLAS is "nkm"). */
export const LoopOrder = z.enum(['nkm', 'knm', 'mnk', 'kmn', 'nmk', 'mkn']);
export type LoopOrder = z.infer<typeof LoopOrder>;

/**
 * A WASM SIMD matmul kernel variant: an mr x nr register micro-tile (nr a
 * multiple of 4, one v128 per 4 columns) inside mc x kc x nc cache blocks.
 * Constraints between genes (the v128 register budget, blocks vs tiles) live
 * in the search space, not here: this schema says what a genome *is*.
 */
export const MatmulWasmGenome = z
  .object({
    /** Genomes stored before they carried their op were all matmul. */
    op: z.literal('matmul').default('matmul'),
    backend: z.literal('wasm'),
    family: z.literal('tiled'),
    mr: z.number().int().min(1).max(8),
    nr: z.number().int().multipleOf(4).min(4).max(16),
    kUnroll: z.number().int().min(1).max(8),
    mc: z.number().int().min(1).max(4096),
    kc: z.number().int().min(1).max(4096),
    nc: z.number().int().min(4).max(8192),
    packA: z.boolean(),
    /**
     * B as it lies (false), packed into nr-column panels per call (true), or
     * packed into the same panels once at load time (load: the launch's
     * prepare entry, as XNNPACK packs weights when an operator is created;
     * per call the kernel only reads them).
     */
    packB: z.union([z.boolean(), z.literal('load')]),
    loopOrder: LoopOrder,
    /** f32x4.relaxed_madd (a fused multiply-add): only where the runtime has relaxed SIMD. */
    fma: z.boolean(),
    /**
     * How a problem's epilogue runs: in registers before the last K block's
     * store (fused), on each C tile right after that store while it is in L1
     * (tile), or one pass over C per stage (pass: as a framework without
     * fusion runs it). Absent for problems without one.
     */
    epilogue: z.enum(['fused', 'tile', 'pass']).optional(),
    /**
     * How a k step broadcasts A[i, k] to four lanes: one v128.load32_splat per
     * row (splat; absent means this, as before the gene), or, with A packed,
     * one v128.load of four rows' values and an i8x16.shuffle per row
     * (shuffle: one load live per four rows instead of one broadcast per row),
     * or one v128.load of four consecutive k of each row every four steps,
     * each step's broadcast shuffled out of it (k-shuffle: XNNPACK's "splat"
     * micro-kernels; packed A is then laid out [k/4][row][4], the last
     * depth % 4 steps [k][row]).
     */
    aBroadcast: z.enum(['splat', 'shuffle', 'k-shuffle']).optional(),
    /**
     * How an unrolled k loop walks A and B: pointers bumped once per
     * iteration, each step at a constant offset from them (offset; absent
     * means this, as before the gene), or pointers bumped after every step,
     * every load at offset 0 (bump: short immediates, more adds). The same
     * kernel when kUnroll is 1.
     */
    addressing: z.enum(['offset', 'bump']).optional(),
    /**
     * When a k step reads A: each row's broadcast just before that row's
     * multiply-adds (on-the-fly; absent means this, as before the gene), or
     * every row's broadcast first, then all the multiply-adds (preload).
     */
    aLoad: z.enum(['on-the-fly', 'preload']).optional(),
    /**
     * How the k loop knows it is done: a step counter counted down to zero
     * (count; absent means this, as before the gene), or B's pointer compared
     * with where it ends, computed once per tile call (end: no counter to
     * update, one compare per iteration).
     */
    kLoop: z.enum(['count', 'end']).optional(),
  })
  .strict();
export type MatmulWasmGenome = z.infer<typeof MatmulWasmGenome>;
