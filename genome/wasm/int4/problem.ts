import { int4Layout, type Int4Layout } from '../../ops/matmul/int4/layout.ts';

/**
 * What a 4-bit WASM kernel is generated for: the shape, the group, which of
 * the two 4-bit problems, and (w4) whether zero points come as a tensor.
 */
export interface Int4Kernel {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly group: number;
  readonly dtype: 'w4' | 'w4a8';
  readonly zeroPoints: boolean;
}

/** The entry's parameters in ABI order: every tensor's byte offset (inputs, then C), then the workspace's. */
export function entryParams(p: Int4Kernel): string[] {
  const inputs = p.dtype === 'w4' ? ['a', 'b', 'scales', ...(p.zeroPoints ? ['zp'] : [])] : ['a', 'b', 'aScales', 'scales'];
  return [...inputs, 'c', 'ws'];
}

export const paramList = (p: Int4Kernel) => entryParams(p).map((name) => `(param $${name} i32)`).join(' ');

export const layoutOf = (p: Int4Kernel): Int4Layout => int4Layout(p.n, p.k, p.group);

/** K padded to whole groups: the length of one column of B in nibbles, and of a repacked A row. */
export const paddedK = (p: Int4Kernel) => layoutOf(p).blocks * p.group;
