import type { Geometry } from '../../ops/conv/geometry.ts';
import type { ConvOpName } from '../../ops/conv/problem.ts';

/**
 * Every convolution op as one shape of loop: the output is `rows` x `cols`
 * (its last dimension is the columns), and element (row, col) sums over
 * `outer` x `inner` terms
 *
 *   out[row, col] = sum over o < outer, i < inner of A(row, o, i, col) * B(o, i, col)
 *
 * where A is the first input gathered through the window (zero where the
 * window falls on padding or, for bwd-data, between stride-2 rows) and B the
 * second. Dense ops are implicit GEMMs: A does not depend on the column and
 * `inner` runs over channels; depthwise ops have inner 1 and read A per
 * column (a channel). The gather's index and validity depend on (row, o)
 * only, so codegen computes them once per tap, not per term.
 */
export interface ConvPlan {
  readonly rows: number;
  readonly cols: number;
  readonly outer: number;
  readonly inner: number;
  readonly depthwise: boolean;
  /** WGSL lines declaring this row's coordinates from `row{t}` (u32), named with suffix t. */
  rowCoords(t: string): string[];
  /** WGSL lines declaring o's coordinates (from `o`), suffix-free. */
  outerCoords: string[];
  /** For row suffix t at the current o: A's flat index at i = 0 (depthwise: at column 0), and whether the term exists. */
  gather(t: string): { index: string; valid: string };
  /** A's step per inner index (dense ops only). */
  readonly aInnerStride: number;
  /** B's flat index for WGSL expressions o, i, col. */
  bIndex(o: string, i: string, col: string): string;
  /** Whether neighbouring columns of B are neighbours in memory (a vec4 over columns is 4 consecutive loads). */
  readonly bContiguous: boolean;
  /** The forward ops (rows are output pixels, A is X through the window): their geometry, for staging a workgroup's input band with its halo (halo.ts); null for the others. */
  readonly image: Geometry | null;
}

/** Input pixel of output pixel (y, x) under tap (r, s): signed, so a tap above or left of the image is negative. */
function forward(g: Geometry, n: string, y: string, x: string, r: string, s: string) {
  const iy = `(i32(${y}) * ${g.stride} + i32(${r}) - ${g.top})`;
  const ix = `(i32(${x}) * ${g.stride} + i32(${s}) - ${g.left})`;
  return {
    pixel: `((${n} * ${g.h}u + u32(${iy})) * ${g.w}u + u32(${ix}))`,
    valid: `(${iy} >= 0 && ${iy} < ${g.h} && ${ix} >= 0 && ${ix} < ${g.w})`,
  };
}

const pixelCoords = (t: string, h: number, w: number) => [`let n${t} = row${t} / ${h * w}u;`, `let y${t} = (row${t} / ${w}u) % ${h}u;`, `let x${t} = row${t} % ${w}u;`];
const tapCoords = (s: number) => ['let tr = o / ' + s + 'u;', 'let ts = o % ' + s + 'u;'];
const outputPixelCoords = (g: Geometry) => [`let on = o / ${g.oh * g.ow}u;`, `let oy = (o / ${g.ow}u) % ${g.oh}u;`, `let ox = o % ${g.ow}u;`];

/** Output pixel whose tap (r, s) lands on input pixel (iy, ix): only where the offset is a whole stride and in range. */
function backward(g: Geometry, n: string, iy: string, ix: string, r: string, s: string) {
  const y = `(i32(${iy}) + ${g.top} - i32(${r}))`;
  const x = `(i32(${ix}) + ${g.left} - i32(${s}))`;
  const exact = g.stride === 1 ? '' : ` && (${y} % ${g.stride}) == 0 && (${x} % ${g.stride}) == 0`;
  return {
    pixel: `((${n} * ${g.oh}u + u32(${y} / ${g.stride})) * ${g.ow}u + u32(${x} / ${g.stride}))`,
    valid: `(${y} >= 0 && ${x} >= 0${exact} && ${y} / ${g.stride} < ${g.oh} && ${x} / ${g.stride} < ${g.ow})`,
  };
}

export function convPlan(op: ConvOpName, g: Geometry): ConvPlan {
  const dense = { depthwise: false, image: null };
  const depthwise = { depthwise: true, inner: 1, aInnerStride: 0, bContiguous: true, image: null };
  switch (op) {
    case 'conv2d':
      return {
        ...dense,
        image: g,
        rows: g.n * g.oh * g.ow,
        cols: g.k,
        outer: g.r * g.s,
        inner: g.c,
        rowCoords: (t) => pixelCoords(t, g.oh, g.ow),
        outerCoords: tapCoords(g.s),
        gather: (t) => {
          const p = forward(g, `n${t}`, `y${t}`, `x${t}`, 'tr', 'ts');
          return { index: `${p.pixel} * ${g.c}u`, valid: p.valid };
        },
        aInnerStride: 1,
        bIndex: (o, i, col) => `((${o}) * ${g.c * g.k}u + (${i}) * ${g.k}u + ${col})`,
        bContiguous: true,
      };
    case 'conv2d-bwd-data':
      return {
        ...dense,
        rows: g.n * g.h * g.w,
        cols: g.c,
        outer: g.r * g.s,
        inner: g.k,
        rowCoords: (t) => pixelCoords(t, g.h, g.w),
        outerCoords: tapCoords(g.s),
        gather: (t) => {
          const p = backward(g, `n${t}`, `y${t}`, `x${t}`, 'tr', 'ts');
          return { index: `${p.pixel} * ${g.k}u`, valid: p.valid };
        },
        aInnerStride: 1,
        // W[r,s,c,k] read as B[(r,s,k), c]: the columns (c) are K apart.
        bIndex: (o, i, col) => `((${o}) * ${g.c * g.k}u + (${col}) * ${g.k}u + ${i})`,
        bContiguous: false,
      };
    case 'conv2d-bwd-weights':
      return {
        ...dense,
        rows: g.r * g.s * g.c,
        cols: g.k,
        outer: g.n * g.oh * g.ow,
        inner: 1,
        rowCoords: (t) => [`let tr${t} = row${t} / ${g.s * g.c}u;`, `let ts${t} = (row${t} / ${g.c}u) % ${g.s}u;`, `let c${t} = row${t} % ${g.c}u;`],
        outerCoords: outputPixelCoords(g),
        gather: (t) => {
          const p = forward(g, 'on', 'oy', 'ox', `tr${t}`, `ts${t}`);
          return { index: `${p.pixel} * ${g.c}u + c${t}`, valid: p.valid };
        },
        aInnerStride: 0,
        bIndex: (o, _i, col) => `((${o}) * ${g.k}u + ${col})`,
        bContiguous: true,
      };
    case 'dwconv2d':
      return {
        ...depthwise,
        image: g,
        rows: g.n * g.oh * g.ow,
        cols: g.c,
        outer: g.r * g.s,
        rowCoords: (t) => pixelCoords(t, g.oh, g.ow),
        outerCoords: tapCoords(g.s),
        gather: (t) => {
          const p = forward(g, `n${t}`, `y${t}`, `x${t}`, 'tr', 'ts');
          return { index: `${p.pixel} * ${g.c}u`, valid: p.valid };
        },
        bIndex: (o, _i, col) => `((${o}) * ${g.c}u + ${col})`,
      };
    case 'dwconv2d-bwd-data':
      return {
        ...depthwise,
        rows: g.n * g.h * g.w,
        cols: g.c,
        outer: g.r * g.s,
        rowCoords: (t) => pixelCoords(t, g.h, g.w),
        outerCoords: tapCoords(g.s),
        gather: (t) => {
          const p = backward(g, `n${t}`, `y${t}`, `x${t}`, 'tr', 'ts');
          return { index: `${p.pixel} * ${g.c}u`, valid: p.valid };
        },
        bIndex: (o, _i, col) => `((${o}) * ${g.c}u + ${col})`,
      };
    case 'dwconv2d-bwd-weights':
      return {
        ...depthwise,
        rows: g.r * g.s,
        cols: g.c,
        outer: g.n * g.oh * g.ow,
        rowCoords: (t) => [`let tr${t} = row${t} / ${g.s}u;`, `let ts${t} = row${t} % ${g.s}u;`],
        outerCoords: outputPixelCoords(g),
        gather: (t) => {
          const p = forward(g, 'on', 'oy', 'ox', `tr${t}`, `ts${t}`);
          return { index: `${p.pixel} * ${g.c}u`, valid: p.valid };
        },
        bIndex: (o, _i, col) => `((${o}) * ${g.c}u + ${col})`,
      };
  }
}
