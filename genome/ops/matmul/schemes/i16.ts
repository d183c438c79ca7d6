import { integerScheme } from '../integer.ts';

/**
 * Dynamic fixed point, as in the INT16 mixed-precision training paper (Das
 * et al., 2018): each tensor is int16 mantissas times one shared power of
 * two. The kernel multiplies mantissas: A i16 [M,K] x B i16 [K,N] -> C i32
 * [M,N], exact mod 2^32, and C's exponent is the sum of A's and B's (the
 * caller's bookkeeping, as in the paper). Overflow is defined, not hidden:
 * sums wrap as i32 adds do, and the harness's extremes (two products of
 * -32768^2 in one i32x4.dot_i16x8_s pair wrap to -2^31) reject a kernel that
 * saturates or widens differently.
 */
export const i16Scheme = integerScheme('i16', 'i16', false);
