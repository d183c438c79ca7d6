import { z } from 'zod';

/**
 * A problem's accuracy contract, one of two kinds:
 * - a tolerance class, named by the float type whose rounding it allows
 *   (f32, f16, bf16): the harness holds a kernel to its precision's error
 *   model, and a kernel computing in a coarser precision is never answered;
 *   `f32-norm` allows f32's rounding relative to the norms a fast algorithm
 *   mixes (a convolution's |filter|_1 x |window|_1 per channel) instead of to
 *   each output's own terms: what Winograd keeps, and no elementwise contract
 *   does (docs/architecture.md, "Winograd");
 * - a number (`--accuracy 1e-2`): the largest error the user accepts,
 *   relative to the output's scale (see numericAccuracy). Any precision may
 *   then compete, quantized ones included: the harness measures the error
 *   against the f64 reference of the original inputs and passes a kernel
 *   exactly when it stays within the number.
 * f32 unless the problem says otherwise.
 */
export const AccuracyClass = z.enum(['f32', 'f16', 'bf16', 'f32-norm']);
export type AccuracyClass = z.infer<typeof AccuracyClass>;

const ACCURACY_WORDS = 'expected f32, f16, bf16, f32-norm or a max relative error in (0, 1], e.g. 1e-2';

export const NumericAccuracy = z
  .number({ error: ACCURACY_WORDS })
  .refine((value) => Number.isFinite(value) && value > 0 && value <= 1, { error: ACCURACY_WORDS });

export const Accuracy = z.union([AccuracyClass, NumericAccuracy], { error: ACCURACY_WORDS });
export type Accuracy = z.infer<typeof Accuracy>;

/** `--accuracy` text: a class name as it is, anything else read as a number (so "1e-2" is 0.01 and "abc" is refused). */
export const AccuracyText = z
  .string()
  .transform((text): unknown => (AccuracyClass.safeParse(text).success ? text : /^\s*$/.test(text) ? NaN : Number(text)))
  .pipe(Accuracy);

/**
 * How a kernel computes and accumulates: its genome says so (FMA rounds once
 * per step; i8 and w4 quantize their inputs first). `f32-winograd`: f32
 * arithmetic through Winograd's transforms, whose error is bounded only
 * normwise (the op's error model for it says how).
 */
export type Precision = 'f32' | 'f32-fma' | 'f16' | 'f32-winograd' | 'i8' | 'w4';
export const precisions: readonly Precision[] = ['f32', 'f32-fma', 'f16', 'f32-winograd', 'i8', 'w4'];

/**
 * Unit roundoff per precision, the error model's unit. For the quantized
 * precisions it is half of one step of a symmetric grid scaled to the
 * largest value (127 steps for i8, 7 for w4): they are only ever judged by a
 * numeric contract, and this orders them among the floats.
 */
export const unitRoundoff: Record<Precision, number> = { f32: 2 ** -24, 'f32-fma': 2 ** -24, f16: 2 ** -11, 'f32-winograd': 2 ** -24, i8: 1 / 254, w4: 1 / 14 };

const accuracyRoundoff: Record<AccuracyClass, number> = { f32: 2 ** -24, f16: 2 ** -11, bf16: 2 ** -8, 'f32-norm': 2 ** -24 };

/** Precisions whose error has a normwise bound only: an elementwise contract, however coarse, cannot hold them. */
const normwiseOnly: ReadonlySet<Precision> = new Set(['f32-winograd']);

export function accuracyOf(problem: { readonly accuracy?: Accuracy | undefined }): Accuracy {
  return problem.accuracy ?? 'f32';
}

/**
 * The contract's max error when it is a number: for every check the harness
 * runs, max over C of |C - ref| divided by the check's scale, the largest
 * magnitude bound over C (matmul: max over i, j of sum_k |A[i,k]| |B[k,j]|,
 * which is max |C| when nothing cancels), ref the f64 answer for the
 * original f32 inputs. Undefined for a tolerance class.
 */
export function numericAccuracy(problem: { readonly accuracy?: Accuracy | undefined }): number | undefined {
  return typeof problem.accuracy === 'number' ? problem.accuracy : undefined;
}

/** Whether a kernel computing in `precision` keeps the contract: a numeric one is kept by measurement, so by any precision that passed. */
export function meetsAccuracy(precision: Precision, accuracy: Accuracy): boolean {
  if (typeof accuracy === 'number') return true;
  if (normwiseOnly.has(precision) && accuracy !== 'f32-norm') return false;
  return unitRoundoff[precision] <= accuracyRoundoff[accuracy];
}

/** The precisions a kernel may compute in and still be answered for this contract. */
export function precisionsMeeting(accuracy: Accuracy): Precision[] {
  return precisions.filter((p) => meetsAccuracy(p, accuracy));
}
