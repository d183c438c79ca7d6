import type { MatmulProblem } from '../../genome/ops/problem.ts';

/**
 * The WGSL kernel ABI, shared by generated and hand- or LLM-written kernels:
 *
 *   @group(0) @binding(0) var<storage, read> A: array<f32>;        // A[M,K]
 *   @group(0) @binding(1) var<storage, read> B: array<f32>;        // B[K,N]
 *   @group(0) @binding(2) var<storage, read_write> C: array<f32>;  // C[M,N]
 *   @compute @workgroup_size(...) fn main(...)
 *
 * Row-major f32, shapes baked into the source as constants. B and C may be
 * declared as array<vec4<f32>> when N is a multiple of 4 (same bytes). Buffers
 * are exactly as long as their tensors: an index past the end is out of bounds
 * (robust buffer access clamps or zeroes it; the numerics stage sees the wrong
 * answer). C is poisoned before each dispatch and every element must be
 * written; A and B must stay unchanged. The host dispatches
 * (ceil(N / tile.cols), ceil(M / tile.rows), 1) workgroups, where `tile` is the
 * output tile one workgroup covers.
 */
export const ENTRY = 'main';

export const BINDINGS = { a: 0, b: 1, c: 2 } as const;

export interface Tile {
  readonly rows: number;
  readonly cols: number;
}

export function dispatchSize({ shape: { m, n } }: MatmulProblem, tile: Tile): [number, number, number] {
  return [Math.ceil(n / tile.cols), Math.ceil(m / tile.rows), 1];
}
