import { z } from 'zod';
import type { SearchSpace } from '../../genome/space.ts';
import { parseOrThrow } from '../../lib/errors.ts';
import type { Scored, StrategyState } from './strategy.ts';

const u32 = z.number().int().min(0).max(0xffffffff);
export const RngStateSchema = z.object({ s: z.tuple([u32, u32, u32, u32]) }).strict();

/** Hashes of every genome a campaign has seen, so a resumed strategy still never repeats one. */
export const SeenSchema = z.array(z.string());

/**
 * A genome of this space, kept as given rather than as zod re-emits it:
 * operators may walk keys in order, and a resumed strategy must draw exactly
 * what the original would have.
 */
export function genomeSchema<G>(space: SearchSpace<G>) {
  return z.custom<G>((value) => space.schema.safeParse(value).success, { error: `expected a ${space.name} genome` });
}

export function scoredSchema<G>(space: SearchSpace<G>) {
  return z.object({ genome: genomeSchema(space), fitness: z.number().nullable() }).strict() as z.ZodType<Scored<G>>;
}

/** Options every strategy takes; `population` sizes what each keeps (ignored by random). */
export const StrategyOptions = z
  .object({
    seed: z.number({ error: 'seed: expected an integer' }).int({ error: 'seed: expected an integer' }),
    population: z
      .number({ error: 'population: expected an integer from 2 to 100000' })
      .int({ error: 'population: expected an integer from 2 to 100000' })
      .min(2, { error: 'population: expected an integer from 2 to 100000' })
      .max(100_000, { error: 'population: expected an integer from 2 to 100000' }),
    state: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type StrategyOptions = z.infer<typeof StrategyOptions>;

/** A checkpoint read back: BAD_INPUT naming the zod path when it is not this strategy's state. */
export function readCheckpoint<S extends z.ZodType>(schema: S, state: StrategyState, strategy: string): z.infer<S> {
  return parseOrThrow(schema, state, `${strategy} strategy state`);
}
