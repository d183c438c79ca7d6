import { naiveW4a8Wgsl } from '../../../genome/webgpu/w4a8/baseline.ts';
import type { W4a8Shape } from '../../../genome/webgpu/w4a8/codegen.ts';
import { int4Layout } from '../../../genome/ops/matmul/int4/layout.ts';

/**
 * Hostile w4a8 WGSL kernels: the fixed baseline (an honest kernel) with one
 * misbehaviour spliced in, each caught at the problem shape itself (w4a8
 * 37x53x40, groups of 32: two groups per column, the second padded), as
 * ./int4.ts does for WASM.
 */
export interface HostileW4a8Kernel {
  readonly name: string;
  readonly trick: string;
  readonly wgsl: (s: W4a8Shape) => string;
}

/** The baseline with `from` replaced by `to`; throws if the baseline no longer holds `from`, so a stale splice cannot pass as a trick. */
function splice(s: W4a8Shape, from: string, to: string): string {
  const honest = naiveW4a8Wgsl(s).wgsl;
  if (!honest.includes(from)) throw new Error(`the baseline no longer contains ${from}`);
  return honest.replace(from, to);
}

const blocks = (s: W4a8Shape) => int4Layout(s.n, s.k, s.group).blocks;

export const hostileW4a8Corpus: readonly HostileW4a8Kernel[] = [
  {
    name: 'one scale for every group',
    trick: "scales every group of a column by the column's first scale: right while K fits in one group, wrong from the second",
    wgsl: (s) => splice(s, `scales[col * ${blocks(s)}u + k / ${s.group}u]`, `scales[col * ${blocks(s)}u]`),
  },
  {
    name: 'high nibble first',
    trick: "reads each byte's nibbles high first (k even from the high half): a mirror of ORT's layout, wrong wherever neighbours differ",
    wgsl: (s) => splice(s, '(nibble & 7u) * 4u', '((nibble ^ 1u) & 7u) * 4u'),
  },
  {
    name: 'sign of nibbles ignored',
    trick: 'reads the nibbles as unsigned 0..15 (w4\'s q) instead of two\'s complement -8..7: right for 0..7 only',
    wgsl: (s) => splice(s, 'extractBits(bitcast<i32>(B[nibble >> 3u]), (nibble & 7u) * 4u, 4u)', 'i32(extractBits(B[nibble >> 3u], (nibble & 7u) * 4u, 4u))'),
  },
];
