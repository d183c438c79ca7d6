import { f16, type Storage } from '../dtypes/dtype.ts';
import type { Tolerance } from './op.ts';

/**
 * The tolerance of a sum computed under `tolerance` and then rounded once to
 * f16: one more rounding relative to the magnitude (|result| <= sum|a||b|;
 * doubled, since WGSL lets an f32 -> f16 conversion round either way), and
 * half of f16's smallest subnormal step absolute for results below its
 * normal range. Matmul's and the convolutions' f16 schemes share it.
 */
export function f16Output(tolerance: Tolerance): Tolerance {
  return { abs: Math.max(tolerance.abs, f16.limits.minSubnormal), rel: tolerance.rel + 2 * f16.limits.unit };
}

/** f16 bits -> f32 values: exact (every f16 is an f32), so an f32 reference's f64 math runs on them unchanged. */
export const decodeHalves = (tensors: readonly Storage[]): Float32Array[] => tensors.map((bits) => Float32Array.from(bits as Uint16Array, (b) => f16.fromBits(b)));
