import { z } from 'zod';
import { Accuracy } from './accuracy.ts';

/**
 * Whether an op's weight inputs (matmul's B, conv2d's W) stay the same from
 * call to call, as a model's weights do at inference: then a kernel may pack
 * them once, at load time, and leave the pack out of its per-call time
 * (Op.weightsFixed). Varying: they may change every call (attention's K, a
 * training step's weights), so a pack is per-call work.
 */
export const Weights = z.enum(['fixed', 'varying'], { error: 'expected fixed or varying' });
export type Weights = z.infer<typeof Weights>;

/**
 * The fields every op's problem has besides its op and shape. The dtype
 * scheme: f32 unless the op declares its own (matmul's MatmulDtype replaces
 * this field), and the accuracy contract: absent means f32's, so problems
 * written before contracts existed keep their keys and ids.
 */
export const problemFields = {
  dtype: z.literal('f32').default('f32'),
  accuracy: Accuracy.optional(),
};
