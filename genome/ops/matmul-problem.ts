import { z } from 'zod';
import { Epilogue } from './epilogue.ts';
import { problemFields, Weights } from './fields.ts';
import { matmulSchemes } from './matmul/schemes/index.ts';

const dimension = z
  .number({ error: 'expected a positive integer' })
  .int({ error: 'expected a positive integer' })
  .min(1, { error: 'expected a positive integer' })
  .max(1 << 16, { error: 'at most 65536' });

export const MatmulShape = z.object({ m: dimension, n: dimension, k: dimension }).strict();
export type MatmulShape = z.infer<typeof MatmulShape>;

/**
 * The tensors' dtype scheme (genome/ops/matmul/schemes/): f32 (the default,
 * so problems written before schemes keep their keys), f16, integer i8 and
 * u8i8 (ONNX MatMulInteger) and i16, and 4-bit weights w4 / w4a8 quantized
 * in groups of `group` along K.
 */
export const MatmulDtype = z.enum(['f32', 'f16', 'i8', 'u8i8', 'i16', 'w4a8', 'w4']);
export type MatmulDtype = z.infer<typeof MatmulDtype>;

/** The schemes whose weights are quantized in groups along K: they need a `group`, no other scheme takes one. */
export const groupedDtypes: readonly MatmulDtype[] = ['w4', 'w4a8'];
export const MatmulGroup = z.union([z.literal(32), z.literal(64), z.literal(128)], { error: 'expected 32, 64 or 128' });
/** i16 with block exponents: elements of K per shared exponent (schemes/i16-blocks.ts). */
export const ExponentBlock = z.union([z.literal(32), z.literal(64), z.literal(128)], { error: 'expected 32, 64 or 128' });
/** i16: C as the i32 sums (the default) or requantized to i16 mantissas with a shift (schemes/i16-requantized.ts). */
export const MatmulOutput = z.enum(['i32', 'i16'], { error: 'expected i32 or i16' });

/**
 * Whether B (and its scales and zero points) stays the same from call to
 * call (fields.ts Weights). Absent: fixed for the quantized schemes (ONNX's
 * MatMulInteger and MatMulNBits take weights), varying for f32 and f16,
 * where B may be any operand (attention's K, a gradient).
 */
const fixedByDefault: readonly MatmulDtype[] = ['i8', 'u8i8', 'i16', 'w4a8', 'w4'];
export const weightsByDefault = (dtype: MatmulDtype): Weights => (fixedByDefault.includes(dtype) ? 'fixed' : 'varying');

/** C[M,N] = epilogue(A[M,K] x B[K,N]), row-major; no epilogue when absent. */
export const MatmulProblem = z
  .object({
    op: z.literal('matmul'),
    shape: MatmulShape,
    ...problemFields,
    dtype: MatmulDtype.default('f32'),
    /** w4 / w4a8: elements of K per scale (and zero point); 32 when absent. */
    group: MatmulGroup.optional(),
    /** w4: whether each group has a u4 zero point (ONNX MatMulNBits' zero_points); absent: 8, the symmetric midpoint. */
    zeroPoint: z.boolean().optional(),
    /** i16: one exponent per block of this many k for A's and B's K slabs (a_exponents, b_exponents); absent: one per tensor, the caller's. */
    exponentBlock: ExponentBlock.optional(),
    /** i16: i32 C (the default), or i16: C requantized to i16 mantissas and c_shift, the paper's down-conversion. */
    output: MatmulOutput.optional(),
    epilogue: Epilogue.optional(),
    weights: Weights.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (!matmulSchemes[p.dtype]) {
      const known = Object.keys(matmulSchemes).join(', ');
      ctx.addIssue({ code: 'custom', path: ['dtype'], message: `no kernels for dtype ${p.dtype} yet: expected one of ${known}` });
    }
    if (p.group !== undefined && !groupedDtypes.includes(p.dtype)) {
      ctx.addIssue({ code: 'custom', path: ['group'], message: `only ${groupedDtypes.join(' and ')} take a group, not ${p.dtype}` });
    }
    if (p.zeroPoint !== undefined && p.dtype !== 'w4') ctx.addIssue({ code: 'custom', path: ['zeroPoint'], message: `only w4 takes a zero point flag, not ${p.dtype}` });
    if (p.exponentBlock !== undefined && p.dtype !== 'i16') ctx.addIssue({ code: 'custom', path: ['exponentBlock'], message: `only i16 takes an exponent block, not ${p.dtype}` });
    if (p.output !== undefined && p.dtype !== 'i16') ctx.addIssue({ code: 'custom', path: ['output'], message: `only i16 chooses its output dtype, not ${p.dtype}` });
    if (typeof p.accuracy === 'number' && p.dtype !== 'f32') {
      ctx.addIssue({ code: 'custom', path: ['accuracy'], message: `a numeric accuracy needs dtype f32 (kevo picks the precision and quantizes the f32 inputs itself), not ${p.dtype}` });
    }
    if (typeof p.accuracy === 'number' && p.epilogue !== undefined) ctx.addIssue({ code: 'custom', path: ['accuracy'], message: 'a numeric accuracy takes no epilogue yet (its quantized kernels have none)' });
    if (p.epilogue !== undefined && p.dtype !== 'f32') ctx.addIssue({ code: 'custom', path: ['epilogue'], message: `an epilogue needs dtype f32, not ${p.dtype}` });
  });
export type MatmulProblem = z.infer<typeof MatmulProblem>;
