import { z } from 'zod';
import { Backend } from './backend.ts';
import { findGenomeFamily } from './families/registry.ts';
import { SourceGenome } from './source.ts';

export { Backend } from './backend.ts';
export { genomeHash } from './hash.ts';
export { SourceGenome, isSourceGenome } from './source.ts';

/**
 * A genome of some kernel family: its op, backend and family name, and genes
 * only its family's schema knows. Code outside the family reads no gene.
 */
export interface GeneratedGenome {
  readonly op: string;
  readonly backend: Backend;
  readonly family: string;
  readonly [gene: string]: unknown;
}

/** Every kernel variant kevo can evaluate: plain JSON, typed by its schema. */
export type Genome = SourceGenome | GeneratedGenome;

/**
 * Any genome, parsed by its own schema: a source genome, or a generated one
 * by the schema of the family registered for its (op, backend, family).
 */
export const Genome: z.ZodType<Genome> = z
  .object({ op: z.string().default('matmul'), backend: Backend, family: z.string() })
  .loose()
  .transform((value, ctx): Genome => {
    if (value.family === 'source') return copyIssues(SourceGenome.safeParse(value), ctx);
    const family = findGenomeFamily(value.op, value.backend, value.family);
    if (!family) {
      ctx.addIssue({ code: 'custom', path: ['family'], message: `no kernel family "${value.family}" for op "${value.op}" on backend ${value.backend}` });
      return z.NEVER;
    }
    return copyIssues(family.genome.safeParse(value), ctx);
  });

function copyIssues<T>(parsed: z.ZodSafeParseResult<T>, ctx: z.RefinementCtx): T {
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  return z.NEVER;
}
