import { z } from 'zod';

const dimension = z
  .number({ error: 'expected a positive integer' })
  .int({ error: 'expected a positive integer' })
  .min(1, { error: 'expected a positive integer' })
  .max(1 << 16, { error: 'at most 65536' });

export const MatmulShape = z.object({ m: dimension, n: dimension, k: dimension }).strict();
export type MatmulShape = z.infer<typeof MatmulShape>;

/** C[M,N] = A[M,K] x B[K,N], f32, row-major. */
export const MatmulProblem = z
  .object({
    op: z.literal('matmul'),
    shape: MatmulShape,
    dtype: z.literal('f32').default('f32'),
  })
  .strict();
export type MatmulProblem = z.infer<typeof MatmulProblem>;

/** Every op's problem, discriminated by `op`: new ops add a member here. */
export const Problem = z.discriminatedUnion('op', [MatmulProblem]);
export type Problem = z.infer<typeof Problem>;
export type OpName = Problem['op'];
