import { type Int4Layout, int4Layout, weightAt, zeroPointAt } from './layout.ts';

/** The dimensions of a 4-bit matmul: C[M,N] = A[M,K] x W[K,N], W quantized in groups of G along K. */
export interface Int4Dims {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly group: number;
}

/** w4: f32 activations, unsigned 4-bit weights with f32 scales and optional packed zero points (ORT's MatMulNBits). */
export interface W4Inputs {
  readonly a: Float32Array;
  readonly b: Uint8Array;
  readonly scales: Float32Array;
  readonly zeroPoints: Uint8Array | null;
}

/** w4a8: int8 activations with an f32 scale per row, signed 4-bit weights with an f32 scale per (column, group). */
export interface W4a8Inputs {
  readonly a: Int8Array;
  readonly aScales: Float32Array;
  readonly b: Uint8Array;
  readonly scales: Float32Array;
}

/** The f64 reference at some output elements, and the error model's magnitude there: sum over k of |A[i,k] W[k,n]|. */
export interface Sampled {
  readonly want: Float64Array;
  readonly magnitude: Float64Array;
}

/**
 * Both problems are a dot product of a dequantized A row with a dequantized W
 * column. In f64 each dequantization is exact (an f32 times an integer of at
 * most 8 bits), so the only rounding left is f64's own.
 */
interface Dequantized {
  /** A, dequantized, row-major [M, K]. */
  readonly a: Float64Array;
  /** Column n of W, dequantized: K values. */
  column(n: number, into: Float64Array): void;
}

function w4Dequantized(d: Int4Dims, x: W4Inputs): Dequantized {
  const l = int4Layout(d.n, d.k, d.group);
  return {
    a: Float64Array.from(x.a),
    column: (n, into) => {
      for (let g = 0; g < l.blocks; g++) {
        const scale = x.scales[n * l.blocks + g]!;
        const zp = zeroPointAt(x.zeroPoints, l, n, g);
        for (let k = g * d.group; k < Math.min(d.k, (g + 1) * d.group); k++) into[k] = (weightAt(x.b, l, n, k, false) - zp) * scale;
      }
    },
  };
}

function w4a8Dequantized(d: Int4Dims, x: W4a8Inputs): Dequantized {
  const l: Int4Layout = int4Layout(d.n, d.k, d.group);
  const a = new Float64Array(d.m * d.k);
  for (let i = 0; i < d.m; i++) for (let k = 0; k < d.k; k++) a[i * d.k + k] = x.a[i * d.k + k]! * x.aScales[i]!;
  return {
    a,
    column: (n, into) => {
      for (let k = 0; k < d.k; k++) into[k] = weightAt(x.b, l, n, k, true) * x.scales[n * l.blocks + Math.floor(k / d.group)]!;
    },
  };
}

/** want and magnitude at flat row-major indices of C; each W column is dequantized once, however many of its elements are asked. */
function sample(d: Int4Dims, q: Dequantized, indices: ArrayLike<number>): Sampled {
  const want = new Float64Array(indices.length);
  const magnitude = new Float64Array(indices.length);
  const byColumn = Array.from({ length: indices.length }, (_, e) => e).sort((x, y) => (indices[x]! % d.n) - (indices[y]! % d.n));
  const column = new Float64Array(d.k);
  let current = -1;
  for (const e of byColumn) {
    const j = indices[e]! % d.n;
    if (j !== current) q.column((current = j), column);
    const row = Math.floor(indices[e]! / d.n) * d.k;
    let sum = 0;
    let abs = 0;
    for (let k = 0; k < d.k; k++) {
      const product = q.a[row + k]! * column[k]!;
      sum += product;
      abs += Math.abs(product);
    }
    want[e] = sum;
    magnitude[e] = abs;
  }
  return { want, magnitude };
}

const everyElement = (d: Int4Dims) => Array.from({ length: d.m * d.n }, (_, i) => i);

export const w4ReferenceAt = (d: Int4Dims, x: W4Inputs, indices: ArrayLike<number>): Sampled => sample(d, w4Dequantized(d, x), indices);
export const w4a8ReferenceAt = (d: Int4Dims, x: W4a8Inputs, indices: ArrayLike<number>): Sampled => sample(d, w4a8Dequantized(d, x), indices);
export const w4Reference = (d: Int4Dims, x: W4Inputs): Sampled => w4ReferenceAt(d, x, everyElement(d));
export const w4a8Reference = (d: Int4Dims, x: W4a8Inputs): Sampled => w4a8ReferenceAt(d, x, everyElement(d));

/**
 * The error model's relative part, times the unit roundoff u of the compute
 * precision: a legal kernel may dequantize A (w4a8: times its row scale) and W
 * (times the group scale) before an f32 matmul, which is K - 1 additions and
 * three multiplications per term, or sum exact integer products per group and
 * scale after: fewer. As for f32 matmul, a factor 2 of safety and a floor for
 * tiny K; the bound multiplies the magnitude sum_k |A[i,k] W[k,n]|.
 */
export function int4Rel(k: number, u: number): number {
  return 2 * Math.max(k + 3, 4) * u;
}
