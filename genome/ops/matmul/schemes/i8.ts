import { integerScheme } from '../integer.ts';

/** A i8 [M,K] x B i8 [K,N] -> C i32 [M,N], exact. */
export const i8Scheme = integerScheme('i8', 'i8', false);
