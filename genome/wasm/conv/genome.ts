import { z } from 'zod';
import type { ConvOpName } from '../../ops/conv/problem.ts';
import { MatmulWasmGenome } from '../genome.ts';

/**
 * A WASM SIMD convolution kernel, direct algorithm (genome/wasm/conv/): a
 * register tile of `tile` rows by `vectors` v128 columns of the vectorized
 * channel, walked over the output. What a row is depends on the op: an output
 * pixel (forward, bwd-data), an input channel (conv2d-bwd-weights) or a tap
 * along the window's width (dwconv2d-bwd-weights). The same schema for all
 * six ops, the op a literal. It has no `algorithm` field, so genomes stored
 * before the GEMM algorithm keep their hashes.
 */
export const convDirectGenome = <N extends ConvOpName>(op: N) =>
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

export type ConvDirectGenome = z.infer<ReturnType<typeof convDirectGenome>>;

/** The ops a GEMM computes: the dense ones (bwd-data: a transposed convolution is a convolution; bwd-weights: im2col(X)^T x dY). */
export const GEMM_OPS: readonly ConvOpName[] = ['conv2d', 'conv2d-bwd-data', 'conv2d-bwd-weights'];

/**
 * im2col + GEMM (genome/wasm/conv/gemm.ts): the window lowered into a
 * [pixels, R*S*C] matrix (none for a 1x1 stride-1 window: the image already
 * is one), multiplied by the weights through the f32 `tiled` matmul kernel.
 * Its genes are that kernel's (genome/wasm/genome.ts): the tile, blocks,
 * k unroll, A and B packing (packB is the weight-packing gene: HWIO
 * [R*S*C, K] already is a row-major B, packed into nr-wide panels per call
 * or read as it is), fma, and how an epilogue runs.
 */
export const convGemmGenome = <N extends ConvOpName>(op: N) =>
  MatmulWasmGenome.omit({ op: true, family: true })
    .extend({ op: z.literal(op), family: z.literal('direct'), algorithm: z.literal('im2col') })
    .strict();

export type ConvGemmGenome = z.infer<ReturnType<typeof convGemmGenome>>;

/** The ops implicit GEMM computes: those whose plan is a dense forward convolution of an image (bwd-data: of the dilated dY). */
export const IMPLICIT_OPS: readonly ConvOpName[] = ['conv2d', 'conv2d-bwd-data'];

/**
 * Implicit GEMM (genome/wasm/conv/implicit.ts): the same f32 matmul kernel
 * reading A straight from the image, one GEMM per output row and window row.
 * Its genes are the kernel's, less the epilogue mode: the epilogue runs as
 * passes after every window row has added in (the matmul it lowers to has
 * none, so its space has no epilogue gene and refuses one).
 */
export const convImplicitGenome = <N extends ConvOpName>(op: N) =>
  MatmulWasmGenome.omit({ op: true, family: true })
    .extend({ op: z.literal(op), family: z.literal('direct'), algorithm: z.literal('implicit') })
    .strict();

export type ConvImplicitGenome = z.infer<ReturnType<typeof convImplicitGenome>>;

/** Every WASM convolution genome; the family keeps its name `direct`, the algorithm is a gene (absent: direct). */
export type ConvWasmGenome = ConvDirectGenome | ConvGemmGenome | ConvImplicitGenome;

export const isGemm = (g: ConvWasmGenome): g is ConvGemmGenome => 'algorithm' in g && g.algorithm === 'im2col';
export const isImplicit = (g: ConvWasmGenome): g is ConvImplicitGenome => 'algorithm' in g && g.algorithm === 'implicit';

/** The genome's algorithm gene, direct when absent. */
export const algorithmOf = (g: ConvWasmGenome): string => ('algorithm' in g ? g.algorithm : 'direct');

/** The schema of an op's genomes: the direct one, or (dense ops) any algorithm the op has. */
export function convWasmGenome(op: ConvOpName): z.ZodType<ConvWasmGenome> {
  if (!GEMM_OPS.includes(op)) return convDirectGenome(op);
  return IMPLICIT_OPS.includes(op) ? z.union([convDirectGenome(op), convGemmGenome(op), convImplicitGenome(op)]) : z.union([convDirectGenome(op), convGemmGenome(op)]);
}
