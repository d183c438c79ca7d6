import type { ConvProblem, Pad, Stride } from './problem.ts';

/** One spatial axis: the output's length and the zero rows (or columns) padded before the input. */
export interface Axis {
  readonly out: number;
  readonly before: number;
}

/**
 * Padding as TF and XLA define it, so tfjs computes the same thing: 'same'
 * gives ceil(size / stride) outputs and pads max((out - 1) * stride + window
 * - size, 0) in all, the smaller half before; 'valid' pads nothing.
 */
export function axis(size: number, window: number, stride: Stride, pad: Pad): Axis {
  if (pad === 'valid') return { out: Math.floor((size - window) / stride) + 1, before: 0 };
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + window - size, 0);
  return { out, before: Math.floor(total / 2) };
}

/** Every size a convolution's tensors and loops need; depthwise problems have K = C. */
export interface Geometry {
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly k: number;
  readonly r: number;
  readonly s: number;
  readonly stride: Stride;
  readonly oh: number;
  readonly ow: number;
  /** Zero rows above and columns left of the input. */
  readonly top: number;
  readonly left: number;
  readonly depthwise: boolean;
}

export function geometry(p: ConvProblem): Geometry {
  const { n, h, w, c, r, s } = p.shape;
  const depthwise = !('k' in p.shape);
  const rows = axis(h, r, p.stride, p.pad);
  const cols = axis(w, s, p.stride, p.pad);
  return { n, h, w, c, k: depthwise ? c : (p.shape as { k: number }).k, r, s, stride: p.stride, oh: rows.out, ow: cols.out, top: rows.before, left: cols.before, depthwise };
}
