import type { MatmulProblem } from '../../../genome/ops/matmul-problem.ts';
import { int8BaselineWat } from '../../../genome/wasm/int8/baseline.ts';
import { withOutput } from '../../../genome/wasm/int8/layout.ts';

/**
 * Hostile kernels for i16 with an i16 output: the int8 family's baseline
 * (scalar i32 loop, then the SIMD $requantize) with one line of $requantize
 * swapped, each with the stage and input case that must stop it
 * (test/verifiers/i16-requantized.test.ts).
 */
export interface RequantizeHostile {
  readonly name: string;
  readonly trick: string;
  readonly exponentBlock?: 32;
  readonly stage: string;
  readonly reason: RegExp;
  /** The honest line, and what replaces it. */
  readonly honest: string;
  readonly hostile: string;
}

const STORE_SHIFT = '(i32.store8 (local.get $shift) (local.get $s))';
const HALF = '(local.set $half (i32x4.splat (i32.ne (local.get $s) (i32.const 0))))';

export const requantizeHostile: readonly RequantizeHostile[] = [
  {
    name: 'shift one too small',
    trick: 'takes one less than the smallest safe shift: twice the precision, but the largest elements no longer fit i16 and the narrowing saturates them',
    stage: 'shapes',
    reason: /^shapes \(37x53x40\): C\[\d+,\d+\] = -?\d+ but expected -?\d+ exactly \(i16 is exact\)/,
    honest: STORE_SHIFT,
    hostile: `(local.set $s (select (i32.sub (local.get $s) (i32.const 1)) (local.get $s) (i32.gt_u (local.get $s) (i32.const 0))))\n    ${STORE_SHIFT}`,
  },
  {
    name: 'truncating shift',
    trick: 'shifts right without rounding (floor instead of half up): off by one on every element whose dropped bits start with a 1, about half of them',
    stage: 'shapes',
    reason: /^shapes \(37x53x40\): C\[\d+,\d+\] = -?\d+ but expected -?\d+ exactly \(i16 is exact\)/,
    honest: HALF,
    hostile: '(local.set $half (i32x4.splat (i32.const 0)))',
  },
  {
    name: 'shift left out of the exponent',
    trick: 'requantizes C right but reports c_shift 0, so the caller keeps C32\'s exponent and every value comes back 2^s too small',
    exponentBlock: 32,
    stage: 'shapes',
    reason: /^shapes \(37x53x40\): c_shift\[0\] = 0 but expected \d+ exactly \(i8 is exact\)/,
    honest: STORE_SHIFT,
    hostile: '(i32.store8 (local.get $shift) (i32.const 0))',
  },
];

/** The requantizing baseline with the hostile line spliced in. */
export function hostileRequantizeWat(h: Pick<RequantizeHostile, 'honest' | 'hostile'>, problem: MatmulProblem): string {
  const honest = withOutput(int8BaselineWat(problem), problem);
  if (honest.split(h.honest).length !== 2) throw new Error('$requantize changed: the hostile corpus no longer splices into it');
  return honest.replace(h.honest, h.hostile);
}
