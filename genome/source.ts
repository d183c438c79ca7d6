import { z } from 'zod';

/**
 * A kernel written as source text (by an LLM, or by hand) rather than
 * generated from genes. It obeys the same ABI as generated kernels of its
 * backend (see docs/architecture.md) and goes through the same verifiers.
 */
export const SourceGenome = z
  .object({
    /** The op it computes; sources written before genomes carried their op were all matmul. */
    op: z.string().min(1).default('matmul'),
    backend: z.enum(['wasm', 'webgpu']),
    family: z.literal('source'),
    language: z.enum(['wat', 'wgsl']),
    text: z.string().min(1).max(200_000),
    /** WGSL only: the output tile one workgroup covers, which fixes the dispatch size. */
    tile: z.object({ rows: z.number().int().min(1), cols: z.number().int().min(1) }).strict().optional(),
    /** The prompt (by hash) that produced it, for lineage and prompt fitness. */
    promptId: z.string().optional(),
  })
  .strict()
  .refine((g) => (g.backend === 'wasm') === (g.language === 'wat'), {
    message: 'language must be wat for backend wasm and wgsl for backend webgpu',
    path: ['language'],
  });
export type SourceGenome = z.infer<typeof SourceGenome>;

export function isSourceGenome(genome: { readonly family: string }): genome is SourceGenome {
  return genome.family === 'source';
}
