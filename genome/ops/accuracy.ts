import { z } from 'zod';

/**
 * A problem's accuracy contract: the tolerance class its user asked for,
 * named by the float type whose rounding it allows. f32 unless the problem
 * says otherwise. A kernel computing in a coarser precision may be faster,
 * but is never answered for a problem whose contract it breaks.
 */
export const Accuracy = z.enum(['f32', 'f16', 'bf16']);
export type Accuracy = z.infer<typeof Accuracy>;

/** How a kernel computes and accumulates: its genome says so (FMA rounds once per step). */
export type Precision = 'f32' | 'f32-fma' | 'f16';
export const precisions: readonly Precision[] = ['f32', 'f32-fma', 'f16'];

/** Unit roundoff per precision, the error model's unit. */
export const unitRoundoff: Record<Precision, number> = { f32: 2 ** -24, 'f32-fma': 2 ** -24, f16: 2 ** -11 };

const accuracyRoundoff: Record<Accuracy, number> = { f32: 2 ** -24, f16: 2 ** -11, bf16: 2 ** -8 };

export function accuracyOf(problem: { readonly accuracy?: Accuracy | undefined }): Accuracy {
  return problem.accuracy ?? 'f32';
}

/** Whether a kernel computing in `precision` keeps the error bound the contract allows. */
export function meetsAccuracy(precision: Precision, accuracy: Accuracy): boolean {
  return unitRoundoff[precision] <= accuracyRoundoff[accuracy];
}

/** The precisions a kernel may compute in and still be answered for this contract. */
export function precisionsMeeting(accuracy: Accuracy): Precision[] {
  return precisions.filter((p) => meetsAccuracy(p, accuracy));
}
