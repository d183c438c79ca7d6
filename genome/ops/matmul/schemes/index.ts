import type { MatmulDtype } from '../../matmul-problem.ts';
import type { MatmulScheme } from '../scheme.ts';
import { f16Scheme } from './f16.ts';
import { f32Scheme } from './f32.ts';
import { i16Scheme } from './i16.ts';
import { i8Scheme } from './i8.ts';
import { u8i8Scheme } from './u8i8.ts';
import { w4Scheme } from './w4.ts';
import { w4a8Scheme } from './w4a8.ts';

/** Every matmul dtype scheme kevo can verify: a problem with another dtype is refused at parse time. */
export const matmulSchemes: Partial<Record<MatmulDtype, MatmulScheme>> = {
  f32: f32Scheme,
  f16: f16Scheme,
  i8: i8Scheme,
  i16: i16Scheme,
  u8i8: u8i8Scheme,
  w4: w4Scheme,
  w4a8: w4a8Scheme,
};
