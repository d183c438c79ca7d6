import { integerScheme } from '../integer.ts';

/** ONNX MatMulInteger: A u8 [M,K], a_zero_point u8 [1], B i8 [K,N], b_zero_point i8 [1] -> C i32 [M,N], exact. */
export const u8i8Scheme = integerScheme('u8', 'i8', true);
