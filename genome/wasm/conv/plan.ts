import { geometry, type Geometry } from '../../ops/conv/geometry.ts';
import type { ConvProblem } from '../../ops/conv/problem.ts';

/**
 * The four loop nests the six ops come down to. Every op reads an "image"
 * [N, hp, wp, ch] through an R x S window at a stride; the backward-data
 * passes are forward convolutions at stride 1 of the zero-dilated dY with
 * the weights turned by 180 degrees (a transposed convolution).
 * - dense: out[n,y,x,:] = sum over r,s,c of image[n, y*st+r, x*st+s, c] * wt[r,s,c,:]
 * - depthwise: out[n,y,x,c] = sum over r,s of image[n, y*st+r, x*st+s, c] * wt[r,s,c]
 * - dense-weights: dW[r,s,c,:] = sum over n,y,x of image[n, y*st+r, x*st+s, c] * dY[n,y,x,:]
 * - depthwise-weights: dW[r,s,c] = sum over n,y,x of image[n, y*st+r, x*st+s, c] * dY[n,y,x,c]
 */
export type Kind = 'dense' | 'depthwise' | 'dense-weights' | 'depthwise-weights';

export interface Plan {
  readonly kind: Kind;
  readonly g: Geometry;
  readonly n: number;
  /** The image the window walks: X zero-padded, or dY zero-dilated and padded; [n, hp, wp, ch]. */
  readonly hp: number;
  readonly wp: number;
  readonly ch: number;
  readonly stride: number;
  /** Output pixels per image (dense, depthwise) or the pixels reduced over (weights kinds). */
  readonly oh: number;
  readonly ow: number;
  /** Channels of the output's vectorized (last) dimension. */
  readonly out: number;
  /** How the image is built in the workspace, or null when the first input already is it (valid padding). */
  readonly image: Placement | null;
  /** Whether the weights are turned (and, dense, transposed) into the workspace after the image. */
  readonly turned: boolean;
}

/** Source [n, h, w, ch] copied into the image at (y * step + top, x * step + left), zeros elsewhere. */
export interface Placement {
  readonly h: number;
  readonly w: number;
  readonly step: number;
  readonly top: number;
  readonly left: number;
}

export function planOf(p: ConvProblem): Plan {
  const g = geometry(p);
  if (p.op === 'conv2d-bwd-data' || p.op === 'dwconv2d-bwd-data') {
    // dX[iy] = sum over r' of dilated[iy + r'] * W[R-1-r'], where dY[y] sits at row y*st + R-1-top.
    const image = { h: g.oh, w: g.ow, step: g.stride, top: g.r - 1 - g.top, left: g.s - 1 - g.left };
    const common = { g, n: g.n, hp: g.h + g.r - 1, wp: g.w + g.s - 1, stride: 1, oh: g.h, ow: g.w, image, turned: true };
    return p.op === 'conv2d-bwd-data' ? { ...common, kind: 'dense', ch: g.k, out: g.c } : { ...common, kind: 'depthwise', ch: g.c, out: g.c };
  }
  // The window reads rows up to (oh-1)*st + r - 1 of the padded image.
  const hp = Math.max(g.top + g.h, (g.oh - 1) * g.stride + g.r);
  const wp = Math.max(g.left + g.w, (g.ow - 1) * g.stride + g.s);
  const padded = hp !== g.h || wp !== g.w || g.top !== 0 || g.left !== 0;
  const image = padded ? { h: g.h, w: g.w, step: 1, top: g.top, left: g.left } : null;
  const common = { g, n: g.n, hp, wp, ch: g.c, stride: g.stride, oh: g.oh, ow: g.ow, image, turned: false };
  switch (p.op) {
    case 'conv2d':
      return { ...common, kind: 'dense', out: g.k };
    case 'dwconv2d':
      return { ...common, kind: 'depthwise', out: g.c };
    case 'conv2d-bwd-weights':
      return { ...common, kind: 'dense-weights', out: g.k };
    default:
      return { ...common, kind: 'depthwise-weights', out: g.c };
  }
}

/** Floats of workspace the plan needs: the image, then the turned weights. */
export function workspaceFloats(plan: Plan): number {
  const { g } = plan;
  const image = plan.image ? plan.n * plan.hp * plan.wp * plan.ch : 0;
  const weights = plan.turned ? g.r * g.s * g.c * (g.depthwise ? 1 : g.k) : 0;
  return image + weights;
}
