import { z } from 'zod';

/**
 * A problem's accuracy contract: the tolerance class its user asked for,
 * named by the float type whose rounding it allows. f32 unless the problem
 * says otherwise. A kernel computing in a coarser precision may be faster,
 * but is never answered for a problem whose contract it breaks.
 * `f32-norm` allows f32's rounding relative to the norms a fast algorithm
 * mixes (a convolution's |filter|_1 x |window|_1 per channel) instead of to
 * each output's own terms: what Winograd keeps, and no elementwise contract does
 * (docs/architecture.md, "Winograd").
 */
export const Accuracy = z.enum(['f32', 'f16', 'bf16', 'f32-norm']);
export type Accuracy = z.infer<typeof Accuracy>;

/**
 * How a kernel computes and accumulates: its genome says so (FMA rounds once
 * per step). `f32-winograd`: f32 arithmetic through Winograd's transforms,
 * whose error is bounded only normwise (the op's error model for it says how).
 */
export type Precision = 'f32' | 'f32-fma' | 'f16' | 'f32-winograd';
export const precisions: readonly Precision[] = ['f32', 'f32-fma', 'f16', 'f32-winograd'];

/** Unit roundoff per precision, the error model's unit. */
export const unitRoundoff: Record<Precision, number> = { f32: 2 ** -24, 'f32-fma': 2 ** -24, f16: 2 ** -11, 'f32-winograd': 2 ** -24 };

const accuracyRoundoff: Record<Accuracy, number> = { f32: 2 ** -24, f16: 2 ** -11, bf16: 2 ** -8, 'f32-norm': 2 ** -24 };

/** Precisions whose error has a normwise bound only: an elementwise contract, however coarse, cannot hold them. */
const normwiseOnly: ReadonlySet<Precision> = new Set(['f32-winograd']);

export function accuracyOf(problem: { readonly accuracy?: Accuracy | undefined }): Accuracy {
  return problem.accuracy ?? 'f32';
}

/** Whether a kernel computing in `precision` keeps the error bound the contract allows. */
export function meetsAccuracy(precision: Precision, accuracy: Accuracy): boolean {
  if (normwiseOnly.has(precision) && accuracy !== 'f32-norm') return false;
  return unitRoundoff[precision] <= accuracyRoundoff[accuracy];
}

/** The precisions a kernel may compute in and still be answered for this contract. */
export function precisionsMeeting(accuracy: Accuracy): Precision[] {
  return precisions.filter((p) => meetsAccuracy(p, accuracy));
}
