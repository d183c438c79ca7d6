import { z } from 'zod';

/**
 * A WGSL matmul kernel variant: a workgroup of x*y threads, each computing a
 * tm x tn register tile (tn in vectors of `vec` columns), stepping K by kTile,
 * optionally staging tiles of A and B in workgroup memory (double-buffered or not).
 * Adapter limits (invocations per workgroup, workgroup storage) are constraints
 * of the search space.
 */
export const MatmulWebgpuGenome = z
  .object({
    /** Genomes stored before they carried their op were all matmul. */
    op: z.literal('matmul').default('matmul'),
    backend: z.literal('webgpu'),
    family: z.literal('tiled'),
    workgroupX: z.number().int().min(1).max(256),
    workgroupY: z.number().int().min(1).max(256),
    tm: z.number().int().min(1).max(8),
    tn: z.number().int().min(1).max(8),
    vec: z.union([z.literal(1), z.literal(4)]),
    kTile: z.number().int().min(1).max(64),
    workgroupMemory: z.boolean(),
    doubleBuffer: z.boolean(),
    unroll: z.number().int().min(1).max(16),
    precision: z.enum(['f32', 'f16']),
    /** How a problem's epilogue runs: applied before the store, or one dispatch over C per stage (as a framework without fusion runs it). Absent for problems without one. */
    epilogue: z.enum(['fused', 'pass']).optional(),
  })
  .strict();
export type MatmulWebgpuGenome = z.infer<typeof MatmulWebgpuGenome>;
