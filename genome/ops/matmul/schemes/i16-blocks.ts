import type { Storage } from '../../../dtypes/dtype.ts';
import type { Rng } from '../../../../lib/rng.ts';
import type { MatmulProblem } from '../../matmul-problem.ts';
import type { TensorSpec } from '../../op.ts';
import { exactScheme } from '../integer.ts';
import type { MatmulScheme } from '../scheme.ts';

/** Block count along K: the last block may be short. */
export const exponentBlocks = (k: number, block: number) => Math.ceil(k / block);

/**
 * i16 dynamic fixed point with one exponent per block of K (Das et al.,
 * 2018, with the shared exponent refined along the reduction): A's and B's
 * K slabs b (k in [b*B, b*B + B)) are each a DFP tensor of their own,
 * A[:, slab b] = mantissas * 2^a_exponents[b], B[slab b, :] = mantissas *
 * 2^b_exponents[b]. C stays one DFP tensor, i32 mantissas with exponent
 * E = min over b of (a_exponents[b] + b_exponents[b]), which the caller
 * computes from the exponents it passed (the paper's bookkeeping):
 *
 *   C[i,j] = sum over b of S_b[i,j] * 2^(e_b - E)   mod 2^32,
 *   S_b[i,j] = sum over k in slab b of A[i,k] * B[k,j],  e_b = a_exponents[b] + b_exponents[b].
 *
 * Everything is exact modulo 2^32 (2^d for d >= 32 is 0 there), so a kernel
 * may shift each block's i32 sum, each product or B itself: any order of
 * wrapping adds and shifts gives the same bits, and nothing else does (a
 * kernel that saturates or ignores an exponent fails exactly).
 * Per-slab rather than per-row exponents keep C's exponent one number: with
 * an exponent per row of A and block, each C element would need its own.
 */
export const i16BlocksScheme: MatmulScheme = exactScheme({
  inputs,
  dots,
  contract:
    'A i16 [M,K], a_exponents i8 [ceil(K/B)], B i16 [K,N], b_exponents i8 [ceil(K/B)] -> C i32 [M,N] with exponent E = min_b (a_exponents[b] + b_exponents[b]): C = sum over K-blocks b of (sum over k in block b of A*B) * 2^(a_exponents[b] + b_exponents[b] - E), exact mod 2^32 (i32 adds and shifts wrap; 2^d with d >= 32 is 0 mod 2^32; no saturation).',
  drawInput,
});

function inputs({ shape: { m, n, k }, exponentBlock }: MatmulProblem): TensorSpec[] {
  const blocks = exponentBlocks(k, exponentBlock!);
  return [
    { name: 'A', dims: [m, k], dtype: 'i16' },
    { name: 'a_exponents', dims: [blocks], dtype: 'i8' },
    { name: 'B', dims: [k, n], dtype: 'i16' },
    { name: 'b_exponents', dims: [blocks], dtype: 'i8' },
  ];
}

/** Each block's exact sum (below 2^38: f64 holds it) wrapped to i32, shifted mod 2^32 as `<<` does for d < 32, the blocks summed mod 2^32. */
function dots(p: MatmulProblem, [A, ea, B, eb]: readonly Storage[], indices: ArrayLike<number>, abs: boolean): Float64Array {
  const { n, k } = p.shape;
  const block = p.exponentBlock!;
  const shifts = blockShifts(ea!, eb!);
  const out = new Float64Array(indices.length);
  for (let e = 0; e < indices.length; e++) {
    const row = Math.floor(indices[e]! / n) * k;
    const col = indices[e]! % n;
    let total = 0;
    for (let b = 0; b < shifts.length; b++) {
      let sum = 0;
      for (let q = b * block; q < Math.min(k, b * block + block); q++) {
        const product = A![row + q]! * B![q * n + col]!;
        sum += abs ? Math.abs(product) : product;
      }
      const d = shifts[b]!;
      total = abs ? total + sum * 2 ** d : (total + (d < 32 ? (sum | 0) << d : 0)) | 0;
    }
    out[e] = total;
  }
  return out;
}

/** d_b = e_b - min e: each block's left shift onto C's exponent (0..510 for i8 exponents). */
export function blockShifts(ea: Storage, eb: Storage): number[] {
  const e = Array.from({ length: ea.length }, (_, b) => ea[b]! + eb[b]!);
  const least = Math.min(...e);
  return e.map((x) => x - least);
}

/**
 * Exponents for the random cases: a spread of a few binades (so every block
 * counts), or, for 'wide', up to 40 apart (so some blocks shift by 32 or more
 * and must vanish). The int edge cases (min, max, extremes) keep the i8
 * dtype's own draws: exponents at -128 and 127 together shift by 510.
 */
function drawInput(p: MatmulProblem, input: number, inputCase: string, rng: Rng): Storage | undefined {
  if (input !== 1 && input !== 3) return undefined;
  const spread = { normal: 6, uniform: 6, integers: 3, wide: 20 }[inputCase];
  if (spread === undefined) return undefined;
  return Int8Array.from({ length: exponentBlocks(p.shape.k, p.exponentBlock!) }, () => rng.int(-spread, spread));
}
