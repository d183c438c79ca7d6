import { int4BaselineWat } from '../../../genome/wasm/int4/baseline.ts';
import type { Int4Kernel } from '../../../genome/wasm/int4/problem.ts';
import { int4Layout } from '../../../genome/ops/matmul/int4/layout.ts';

/**
 * Hostile 4-bit kernels: the fixed scalar baseline (an honest w4 kernel) with
 * one misbehaviour spliced in, each with the stage that must stop it at the
 * corpus problem (w4 37x53x40, groups of 32: two groups per column, the
 * second padded).
 */
export interface HostileInt4Kernel {
  readonly name: string;
  readonly trick: string;
  readonly stage: string;
  readonly reason: RegExp;
  readonly wat: (p: Int4Kernel) => string;
}

/** The baseline with `from` replaced by `to`; throws if the baseline no longer holds `from`, so a stale splice cannot pass as a trick. */
function splice(p: Int4Kernel, from: string, to: string): string {
  const honest = int4BaselineWat(p);
  if (!honest.includes(from)) throw new Error(`the baseline no longer contains ${from}`);
  return honest.replace(from, to);
}

const nibbleShift = '(i32.shl (i32.and (local.get $k) (i32.const 1)) (i32.const 2))';
const groupScale = (p: Int4Kernel) => `(i32.add (i32.mul (local.get $j) (i32.const ${int4Layout(p.n, p.k, p.group).blocks})) (local.get $g))`;
const aLoad = '(f32.load (i32.add (local.get $row) (i32.shl (local.get $k) (i32.const 2))))';

export const hostileInt4Corpus: readonly HostileInt4Kernel[] = [
  {
    name: 'one scale for every group',
    trick: "scales every group of a column by the column's first scale: right while K fits in one group (the 1x1x1 and 7x5x3 shapes), wrong at the first edge shape with two groups",
    stage: 'shapes',
    reason: /^shapes \(\d+x\d+x\d+\): C\[\d+,\d+\] = \S+ but expected /,
    wat: (p) => splice(p, groupScale(p), `(i32.mul (local.get $j) (i32.const ${int4Layout(p.n, p.k, p.group).blocks}))`),
  },
  {
    name: 'high nibble first',
    trick: 'reads the nibbles of each byte high first (k even from the high half): a mirror of ORT\'s layout, wrong wherever neighbours differ',
    stage: 'shapes',
    reason: /^shapes \(\d+x\d+x\d+\): C\[\d+,\d+\] = \S+ but expected /,
    wat: (p) => splice(p, nibbleShift, `(i32.sub (i32.const 4) ${nibbleShift})`),
  },
  {
    name: 'exact on small values only',
    trick: 'clamps A to +-2^20 on the way in: exact for N(0,1), uniform and small-integer inputs, wrong once the wide draws (2^+-31) reach it',
    stage: 'numerics',
    reason: /^numerics \(wide\): C\[\d+,\d+\] = \S+ but expected /,
    wat: (p) => splice(p, aLoad, `(f32.min (f32.const 1048576) (f32.max (f32.const -1048576) ${aLoad}))`),
  },
];
