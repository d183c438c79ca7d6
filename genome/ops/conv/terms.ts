import type { Geometry } from './geometry.ts';
import type { ConvOpName } from './problem.ts';

/** One output element: the exact sum of its terms, and the error model's magnitude bound over its whole window. */
export interface Dot {
  sum: number;
  abs: number;
}

/**
 * The terms of one output element of each op: pairs of the op's two operands
 * a (the first input) and b (the second). `take(i, j)` adds a[i] * b[j];
 * `pad(j)` marks a window position that holds no term (padding, or for
 * bwd-data a position between stride-2 rows), where a padded-buffer kernel
 * multiplies b[j] by zero. Flat indices are row-major over NHWC activations
 * and HWIO weights (depthwise weights: [R,S,C]).
 */
type Walk = (g: Geometry, o: number, take: (i: number, j: number) => void, pad: (j: number) => void) => void;

/** Where output pixel (y, x) reads input pixel (y * stride + r - top, x * stride + s - left), or -1 outside the image. */
const inputPixel = (g: Geometry, n: number, y: number, x: number, r: number, s: number): number => {
  const iy = y * g.stride + r - g.top;
  const ix = x * g.stride + s - g.left;
  return iy < 0 || iy >= g.h || ix < 0 || ix >= g.w ? -1 : (n * g.h + iy) * g.w + ix;
};

/** The output pixel whose window puts tap (r, s) on input pixel (iy, ix), or -1 when none does. */
const outputPixel = (g: Geometry, n: number, iy: number, ix: number, r: number, s: number): number => {
  const y = iy + g.top - r;
  const x = ix + g.left - s;
  if (y < 0 || x < 0 || y % g.stride !== 0 || x % g.stride !== 0) return -1;
  const oy = y / g.stride;
  const ox = x / g.stride;
  return oy >= g.oh || ox >= g.ow ? -1 : (n * g.oh + oy) * g.ow + ox;
};

/** Splits a flat index over dims [..., d1, d0] into its coordinates, outermost first. */
function coords(index: number, dims: readonly number[]): number[] {
  const out = new Array<number>(dims.length);
  for (let d = dims.length - 1; d >= 0; d--) {
    out[d] = index % dims[d]!;
    index = Math.floor(index / dims[d]!);
  }
  return out;
}

export const walks: Record<ConvOpName, Walk> = {
  // Y[n,y,x,k] = sum over r,s,c of X[n, y*st+r-top, x*st+s-left, c] * W[r,s,c,k]
  conv2d: (g, o, take, pad) => {
    const [n, y, x, k] = coords(o, [g.n, g.oh, g.ow, g.k]) as [number, number, number, number];
    for (let r = 0; r < g.r; r++)
      for (let s = 0; s < g.s; s++) {
        const pixel = inputPixel(g, n, y, x, r, s);
        for (let c = 0; c < g.c; c++) {
          const j = ((r * g.s + s) * g.c + c) * g.k + k;
          if (pixel < 0) pad(j);
          else take(pixel * g.c + c, j);
        }
      }
  },
  // dX[n,iy,ix,c] = sum over r,s,k of dY[n,y,x,k] * W[r,s,c,k] where iy = y*st+r-top (and the same for x)
  'conv2d-bwd-data': (g, o, take, pad) => {
    const [n, iy, ix, c] = coords(o, [g.n, g.h, g.w, g.c]) as [number, number, number, number];
    for (let r = 0; r < g.r; r++)
      for (let s = 0; s < g.s; s++) {
        const pixel = outputPixel(g, n, iy, ix, r, s);
        for (let k = 0; k < g.k; k++) {
          const j = ((r * g.s + s) * g.c + c) * g.k + k;
          if (pixel < 0) pad(j);
          else take(pixel * g.k + k, j);
        }
      }
  },
  // dW[r,s,c,k] = sum over n,y,x of X[n, y*st+r-top, x*st+s-left, c] * dY[n,y,x,k]
  'conv2d-bwd-weights': (g, o, take, pad) => {
    const [r, s, c, k] = coords(o, [g.r, g.s, g.c, g.k]) as [number, number, number, number];
    for (let n = 0; n < g.n; n++)
      for (let y = 0; y < g.oh; y++)
        for (let x = 0; x < g.ow; x++) {
          const pixel = inputPixel(g, n, y, x, r, s);
          const j = ((n * g.oh + y) * g.ow + x) * g.k + k;
          if (pixel < 0) pad(j);
          else take(pixel * g.c + c, j);
        }
  },
  // Y[n,y,x,c] = sum over r,s of X[n, y*st+r-top, x*st+s-left, c] * W[r,s,c]
  dwconv2d: (g, o, take, pad) => {
    const [n, y, x, c] = coords(o, [g.n, g.oh, g.ow, g.c]) as [number, number, number, number];
    for (let r = 0; r < g.r; r++)
      for (let s = 0; s < g.s; s++) {
        const pixel = inputPixel(g, n, y, x, r, s);
        const j = (r * g.s + s) * g.c + c;
        if (pixel < 0) pad(j);
        else take(pixel * g.c + c, j);
      }
  },
  // dX[n,iy,ix,c] = sum over r,s of dY[n,y,x,c] * W[r,s,c] where iy = y*st+r-top
  'dwconv2d-bwd-data': (g, o, take, pad) => {
    const [n, iy, ix, c] = coords(o, [g.n, g.h, g.w, g.c]) as [number, number, number, number];
    for (let r = 0; r < g.r; r++)
      for (let s = 0; s < g.s; s++) {
        const pixel = outputPixel(g, n, iy, ix, r, s);
        const j = (r * g.s + s) * g.c + c;
        if (pixel < 0) pad(j);
        else take(pixel * g.c + c, j);
      }
  },
  // dW[r,s,c] = sum over n,y,x of X[n, y*st+r-top, x*st+s-left, c] * dY[n,y,x,c]
  'dwconv2d-bwd-weights': (g, o, take, pad) => {
    const [r, s, c] = coords(o, [g.r, g.s, g.c]) as [number, number, number];
    for (let n = 0; n < g.n; n++)
      for (let y = 0; y < g.oh; y++)
        for (let x = 0; x < g.ow; x++) {
          const pixel = inputPixel(g, n, y, x, r, s);
          const j = ((n * g.oh + y) * g.ow + x) * g.c + c;
          if (pixel < 0) pad(j);
          else take(pixel * g.c + c, j);
        }
  },
};

/**
 * The exact sum (f64 over the f32 inputs) of output element o and its
 * magnitude: sum |a||b| over the whole window, padding counted as a zero a.
 * An Inf or NaN meeting padding makes the magnitude NaN (0 x Inf): the math
 * leaves that term out while a padded-buffer kernel computes NaN, and the
 * comparison accepts either there (verifiers/compare.ts). `wrap` (i16
 * operands, an i32 sum) keeps the sum in i32 after every term, as i32 adds
 * wrap: each product is at most 2^30 and a running sum below 2^31, so f64
 * holds every step exactly, and wrapping per term or once at the end is the
 * same residue mod 2^32, whatever order a kernel adds in.
 */
export function dotAt(op: ConvOpName, g: Geometry, a: ArrayLike<number>, b: ArrayLike<number>, o: number, wrap = false): Dot {
  const dot: Dot = { sum: 0, abs: 0 };
  walks[op](
    g,
    o,
    (i, j) => {
      const product = a[i]! * b[j]!;
      dot.sum = wrap ? (dot.sum + product) | 0 : dot.sum + product;
      dot.abs += Math.abs(product);
    },
    (j) => {
      dot.abs += 0 * Math.abs(b[j]!);
    },
  );
  return dot;
}

/**
 * conv2d's magnitude for a Winograd kernel's error model
 * (genome/ops/conv/winograd.ts): sum over input channels c of
 * (sum over taps of |W[r,s,c,k]|) x (sum over the window of |X[.,c]|),
 * padding zeros. NaN where the elementwise magnitude is (an Inf meeting
 * padding), for the same reason.
 */
export function normProductAt(g: Geometry, x: Float32Array, w: Float32Array, o: number, elementwise: number): number {
  if (Number.isNaN(elementwise)) return NaN;
  const window = new Float64Array(g.c);
  const filter = new Float64Array(g.c);
  const channel = (j: number) => Math.floor(j / g.k) % g.c;
  walks.conv2d(
    g,
    o,
    (i, j) => {
      window[channel(j)]! += Math.abs(x[i]!);
      filter[channel(j)]! += Math.abs(w[j]!);
    },
    (j) => {
      filter[channel(j)]! += Math.abs(w[j]!);
    },
  );
  return window.reduce((sum, norm, c) => sum + norm * filter[c]!, 0);
}
