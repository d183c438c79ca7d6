import type { Geometry } from '../../ops/conv/geometry.ts';
import { load, zero, type Numbers } from './numbers.ts';

/**
 * A forward convolution's workgroup staging its input tile with the halo
 * its windows reach, once, in workgroup memory (the direct algorithm with
 * workgroupMemory). The workgroup's output pixels are consecutive rows of
 * the flattened [N, OH, OW] output, so they lie on a few output lines; their
 * windows read a band of rows of the zero-padded image, whose rows are
 * numbered v = n * PH + y * stride + r across images (PH = (OH-1)*stride + R
 * rows per image, PW = (OW-1)*stride + S columns: padding staged as zeros, so
 * the compute loop tests nothing). A pixel's tap (r, s) then sits at band
 * row n*PH + y*stride + r - v0, column x*stride + s.
 *
 * Dense ops stage `chunk` channels at a time (the kTile gene), a barrier
 * between chunks; depthwise ops stage the workgroup's own channels at once.
 */
export interface Halo {
  readonly ph: number;
  readonly pw: number;
  /** Band rows staged at most (the tile's lines, their stride steps, the window, and a step of R at each image boundary). */
  readonly rows: number;
  /** Channels per staged pixel. */
  readonly chunk: number;
  /** Staged scalars. */
  readonly elements: number;
}

export function haloOf(g: Geometry, depthwise: boolean, tile: { rows: number; cols: number }, kTile: number): Halo {
  const ph = (g.oh - 1) * g.stride + g.r;
  const pw = (g.ow - 1) * g.stride + g.s;
  // tile.rows consecutive pixels touch at most this many output lines, at most this many image boundaries between them.
  const lines = Math.min(Math.ceil((tile.rows - 1) / g.ow) + 1, g.n * g.oh);
  const boundaries = Math.min(g.n - 1, Math.ceil((lines - 1) / g.oh));
  const rows = Math.min((lines - 1) * g.stride + boundaries * Math.max(g.r - g.stride, 0) + g.r, g.n * ph);
  const chunk = depthwise ? Math.min(tile.cols, g.c) : Math.min(kTile, g.c);
  return { ph, pw, rows, chunk, elements: rows * pw * chunk };
}

/** The band's first row and its end (exclusive), from the workgroup's first and last output pixel. */
export function bandBounds(g: Geometry, halo: Halo, tileRows: number): string[] {
  const v = (pixel: string) => `(${pixel} / ${g.oh * g.ow}u) * ${halo.ph}u + ((${pixel} / ${g.ow}u) % ${g.oh}u) * ${g.stride}u`;
  return [`let v0 = ${v('tileRow')};`, `let v1 = ${v(`min(tileRow + ${tileRows - 1}u, M - 1u)`)} + ${g.r}u;`];
}

/**
 * Every thread stages elements tid, tid + threads, ... of the band (zero on
 * padding and past the channels), channel `first` + its place in the chunk.
 */
export function stageBand(g: Geometry, halo: Halo, numbers: Numbers, threads: number, first: string, channels: string): string[] {
  const pixel = `((hn * ${g.h}u + u32(iy)) * ${g.w}u + u32(ix)) * ${g.c}u + ch`;
  return [
    `for (var e = tid; e < (v1 - v0) * ${halo.pw * halo.chunk}u; e += ${threads}u) {`,
    `  let hv = v0 + e / ${halo.pw * halo.chunk}u;`,
    `  let hn = hv / ${halo.ph}u;`,
    `  let iy = i32(hv % ${halo.ph}u) - ${g.top};`,
    `  let ix = i32((e / ${halo.chunk}u) % ${halo.pw}u) - ${g.left};`,
    `  let ch = ${first} + e % ${halo.chunk}u;`,
    `  let inside = iy >= 0 && iy < ${g.h} && ix >= 0 && ix < ${g.w} && ch < ${channels};`,
    `  Hs[e] = select(${numbers.compute}(${zero(numbers)}), ${load(numbers, 'A', `select(0u, ${pixel}, inside)`)}, inside);`,
    '}',
    'workgroupBarrier();',
  ];
}

/** Row t's tap (tr, ts) in the band, at channel 0 of the chunk. */
export const bandIndex = (g: Geometry, halo: Halo, t: string): string =>
  `((n${t} * ${halo.ph}u + y${t} * ${g.stride}u + tr - v0) * ${halo.pw}u + x${t} * ${g.stride}u + ts) * ${halo.chunk}u`;
