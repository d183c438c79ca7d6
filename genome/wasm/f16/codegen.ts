import type { MatmulProblem, MatmulShape } from '../../ops/matmul-problem.ts';
import { baselineWat } from '../baseline.ts';
import { matmulWat } from '../codegen.ts';
import type { MatmulWasmGenome } from '../genome.ts';
import type { MatmulF16WasmGenome } from './genome.ts';
import { f16Wrap, type F16Sizes } from './wrap.ts';

/** A, B, C and the f32 kernel's packing workspace (as large as its inputs). */
export const matmulF16Sizes = ({ m, n, k }: MatmulShape): F16Sizes => ({ a: m * k, b: k * n, c: m * n, innerBytes: 4 * (m * k + k * n) });

/** The f32 kernel of the same genes, for the same shape. */
export function f32Twin(g: MatmulF16WasmGenome): MatmulWasmGenome {
  return { ...g, family: 'tiled' };
}

/** The same problem over f32 tensors: what the wrapped kernel computes. */
export const f32Problem = (problem: MatmulProblem): MatmulProblem => ({ ...problem, dtype: 'f32' });

export function matmulF16Wat(g: MatmulF16WasmGenome, problem: MatmulProblem): string {
  return matmulWat(f32Twin(g), f32Problem(problem), f16Wrap('matmul', matmulF16Sizes(problem.shape)));
}

/** The f32 baseline (i-k-j, f32x4 rows) between the same conversions: fixed, as every baseline. */
export function baselineF16Wat(problem: MatmulProblem): string {
  return baselineWat(f32Problem(problem), f16Wrap('matmul', matmulF16Sizes(problem.shape)));
}
