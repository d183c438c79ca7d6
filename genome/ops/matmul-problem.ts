import { z } from 'zod';
import { Epilogue } from './epilogue.ts';
import { problemFields } from './fields.ts';

const dimension = z
  .number({ error: 'expected a positive integer' })
  .int({ error: 'expected a positive integer' })
  .min(1, { error: 'expected a positive integer' })
  .max(1 << 16, { error: 'at most 65536' });

export const MatmulShape = z.object({ m: dimension, n: dimension, k: dimension }).strict();
export type MatmulShape = z.infer<typeof MatmulShape>;

/** C[M,N] = epilogue(A[M,K] x B[K,N]), f32, row-major; no epilogue when absent. */
export const MatmulProblem = z
  .object({
    op: z.literal('matmul'),
    shape: MatmulShape,
    ...problemFields,
    epilogue: Epilogue.optional(),
  })
  .strict();
export type MatmulProblem = z.infer<typeof MatmulProblem>;
