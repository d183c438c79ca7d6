/**
 * The largest difference between two contenders' outputs, relative to the
 * largest element of `want`: every contender of a row must compute the same
 * thing before its time counts. Infinity when the lengths differ.
 */
export function disagreement(got: ArrayLike<number>, want: ArrayLike<number>): number {
  if (got.length !== want.length) return Infinity;
  let diff = 0;
  let scale = 1e-30;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
    scale = Math.max(scale, Math.abs(want[i]!));
  }
  return diff / scale;
}
