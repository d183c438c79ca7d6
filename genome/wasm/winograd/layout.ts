import { geometry, type Geometry } from '../../ops/conv/geometry.ts';
import type { ConvProblem } from '../../ops/conv/problem.ts';

/**
 * Where a Winograd kernel keeps things. The workspace holds, in order: the
 * image (X zero-padded to whole 4x4 input tiles, channels to a multiple of 4),
 * U = G g G^T [16][C][K4], then per group of output tiles V = B^T d B
 * [16][tiles][C4] and the GEMMs' products M [16][tiles][K4]. Sizes in floats.
 */
export interface WinogradLayout {
  readonly g: Geometry;
  /** Output tiles down and across an image (the last ones partial for odd outputs). */
  readonly tilesDown: number;
  readonly tilesAcross: number;
  /** Tiles a group (one GEMM register tile's rows) holds. */
  readonly group: number;
  /** The image: [n, hp, wp, c4]. */
  readonly hp: number;
  readonly wp: number;
  readonly c4: number;
  readonly k4: number;
  /** Byte offsets from the workspace's start. */
  readonly uAt: number;
  readonly vAt: number;
  readonly mAt: number;
  readonly bytes: number;
}

const up4 = (x: number) => Math.ceil(x / 4) * 4;

/** Whether F(2x2,3x3) computes the problem: a 3x3 window at stride 1 (dilation is always 1). */
export function winogradApplies(p: ConvProblem): boolean {
  return p.op === 'conv2d' && p.shape.r === 3 && p.shape.s === 3 && p.stride === 1;
}

export function winogradLayout(p: ConvProblem, tile: number): WinogradLayout {
  const g = geometry(p);
  const tilesDown = Math.ceil(g.oh / 2);
  const tilesAcross = Math.ceil(g.ow / 2);
  const group = Math.min(tile, tilesAcross);
  // Tile t reads input rows 2t .. 2t+3 of the padded image: zeros past the input for a partial tile.
  const hp = 2 * tilesDown + 2;
  const wp = 2 * tilesAcross + 2;
  const c4 = up4(g.c);
  const k4 = up4(g.k);
  const uAt = 4 * g.n * hp * wp * c4;
  const vAt = uAt + 4 * 16 * g.c * k4;
  const mAt = vAt + 4 * 16 * group * c4;
  return { g, tilesDown, tilesAcross, group, hp, wp, c4, k4, uAt, vAt, mAt, bytes: mAt + 4 * 16 * group * k4 };
}
