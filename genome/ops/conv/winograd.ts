import { dotTolerance, type EpilogueSpec } from '../epilogue.ts';
import type { Tolerance } from '../op.ts';

/**
 * Winograd's F(2x2, 3x3) (Lavin and Gray 2016): a 2x2 output tile of a 3x3
 * stride-1 correlation from its 4x4 input tile d and the filter g is
 * A^T [(G g G^T) . (B^T d B)] A, the product elementwise. The math only, for
 * any backend's codegen and for the error model below.
 */
export interface WinogradTransforms {
  /** 4x4: input tile -> transformed tile, B^T. */
  readonly bt: readonly (readonly number[])[];
  /** 4x3: filter -> transformed filter, G. */
  readonly g: readonly (readonly number[])[];
  /** 2x4: transformed product -> output tile, A^T. */
  readonly at: readonly (readonly number[])[];
}

export const F2x3: WinogradTransforms = {
  bt: [
    [1, 0, -1, 0],
    [0, 1, 1, 0],
    [0, -1, 1, 0],
    [0, 1, 0, -1],
  ],
  g: [
    [1, 0, 0],
    [0.5, 0.5, 0.5],
    [0.5, -0.5, 0.5],
    [0, 0, 1],
  ],
  at: [
    [1, 1, 1, 0],
    [0, 1, -1, -1],
  ],
};

/**
 * How much one product |g_r||d_p| (1-D: filter tap r, input position p) can
 * weigh in the rounding errors of output i: sum over a of |A^T_ia||G_ar||B^T_ap|.
 * Output i only ever meets the input positions of its own window (B^T's rows
 * that A^T's row i uses read nothing else), which is why a window's norm
 * bounds its error. 2-D it is the product of two of these; the largest is 4.
 */
export function crossWeight(t: WinogradTransforms = F2x3): number {
  let most = 0;
  for (const row of t.at)
    for (let r = 0; r < t.g[0]!.length; r++)
      for (let p = 0; p < t.bt[0]!.length; p++) {
        const weight = row.reduce((sum, at, a) => sum + Math.abs(at) * Math.abs(t.g[a]![r]!) * Math.abs(t.bt[a]![p]!), 0);
        most = Math.max(most, weight);
      }
  return most * most;
}

/**
 * Roundings on an output's path besides the channel sum: B^T d B two (each
 * stage adds two +-1 terms), G g G^T four (each stage a three-term sum,
 * then halved exactly), the product one, A^T m A four (each stage adds three).
 */
export const TRANSFORM_ROUNDINGS = 2 + 4 + 1 + 4;

/**
 * The error model of a Winograd F(2x2,3x3) conv2d over C channels, to first
 * order (Higham's analysis through each stage; Barabasz et al. 2018, "Error
 * analysis and improving the accuracy of Winograd convolution", bound it the
 * same way). Every rounding is relative to |G||g||G^T| . |B^T||d||B|, which
 * mixes every filter tap with every input of the output's window: the error
 * is at most (C + 11) u crossWeight sum over c of |g_c|_1 |window_c|_1, the
 * magnitude conv2d's magnitude() gives for this precision. Against the
 * elementwise magnitude (sum |g||d| of the output's own terms) no bound
 * exists: a large input the filter's other taps meet leaves its rounding in
 * an output whose terms are small (the harness's `wide` inputs break it by
 * 10^12 at C = 1). As dotTolerance, a safety factor of 2.
 */
export function winogradTolerance(channels: number, e: EpilogueSpec): Tolerance {
  // dotTolerance counts a length-L sum as L + 2 roundings (then the epilogue's).
  const base = dotTolerance(channels + TRANSFORM_ROUNDINGS - 2, e, 'f32');
  return { abs: base.abs, rel: crossWeight() * base.rel };
}
