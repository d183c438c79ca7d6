import { z } from 'zod';
import type { ConvOpName } from '../../ops/conv/problem.ts';

/**
 * A WGSL convolution kernel variant (genome/webgpu/conv/plan.ts says how each
 * op becomes rows x cols of sums): a workgroup of x*y threads, each computing
 * tm rows x tn column groups of `vec` columns; the reduction either as nested
 * loops over taps and channels (direct, the gather's index and padding test
 * once per tap) or one flat loop over taps x channels (implicit GEMM).
 * `workgroupMemory` stages: implicit GEMM kTile-deep tiles of the gathered
 * input and the weights; the direct algorithm of the forward ops (conv2d,
 * dwconv2d) the workgroup's input band with its halo, kTile channels a
 * stage (halo.ts). Depthwise ops are no GEMM: direct only.
 */
export const convWebgpuGenome = <O extends ConvOpName>(op: O) =>
  z
    .object({
      op: z.literal(op),
      backend: z.literal('webgpu'),
      family: z.literal('conv'),
      algorithm: z.enum(['direct', 'gemm']),
      workgroupX: z.number().int().min(1).max(256),
      workgroupY: z.number().int().min(1).max(256),
      tm: z.number().int().min(1).max(8),
      tn: z.number().int().min(1).max(8),
      vec: z.union([z.literal(1), z.literal(4)]),
      workgroupMemory: z.boolean(),
      kTile: z.number().int().min(1).max(64),
      unroll: z.number().int().min(1).max(16),
      /** As matmul's: how conv2d's epilogue runs; absent for problems without one. */
      epilogue: z.enum(['fused', 'pass']).optional(),
    })
    .strict();

export type ConvWebgpuGenome = z.infer<ReturnType<typeof convWebgpuGenome>>;
