import { z } from 'zod';
import { Accuracy } from './accuracy.ts';

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
