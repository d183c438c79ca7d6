import { z } from 'zod';
import type { Accuracy } from '../accuracy.ts';
import { Epilogue } from '../epilogue.ts';
import { problemFields, Weights } from '../fields.ts';

const dimension = z
  .number({ error: 'expected a positive integer' })
  .int({ error: 'expected a positive integer' })
  .min(1, { error: 'expected a positive integer' })
  .max(1 << 16, { error: 'at most 65536' });
const window = dimension.max(16, { error: 'at most 16' });

/** N images of H x W pixels with C channels in, K out, an R x S window. */
export const ConvShape = z.object({ n: dimension, h: dimension, w: dimension, c: dimension, k: dimension, r: window, s: window }).strict();
export type ConvShape = z.infer<typeof ConvShape>;
/** Depthwise: one R x S filter per channel (channel multiplier 1), so the output has C channels and there is no K. */
export const DepthwiseShape = z.object({ n: dimension, h: dimension, w: dimension, c: dimension, r: window, s: window }).strict();
export type DepthwiseShape = z.infer<typeof DepthwiseShape>;

export const STRIDES = [1, 2] as const;
export const PADS = ['same', 'valid'] as const;
export type Stride = (typeof STRIDES)[number];
export type Pad = (typeof PADS)[number];

/**
 * The tensors' dtype scheme: f32 (the default, so problems written before
 * dtypes keep their keys); f16 storage for every tensor (mixed-precision
 * training: the kernel's genome says what it computes in); or i16 dynamic
 * fixed point (Das et al., 2018): the operands are int16 mantissas, each
 * tensor's power-of-two exponent the caller's (the output's is the sum of
 * the operands'), the output i32, exact, wrapping mod 2^32 (no saturation).
 */
export const ConvDtype = z.enum(['f32', 'f16', 'i16'], { error: 'expected f32, f16 or i16' });
export type ConvDtype = z.infer<typeof ConvDtype>;

/** Besides the shape, what makes two convolutions different: the stride (dilation is always 1) and the padding; and the dtype. */
const convFields = {
  dtype: ConvDtype.default('f32'),
  stride: z.union([z.literal(1), z.literal(2)], { error: 'expected 1 or 2' }).default(1),
  pad: z.enum(PADS, { error: 'expected same or valid' }).default('same'),
};

/** 'valid' places the whole window inside the image, which needs an image at least as large as the window. */
function windowFits(p: { shape: { h: number; w: number; r: number; s: number }; pad: Pad }, ctx: z.RefinementCtx): void {
  if (p.pad !== 'valid') return;
  if (p.shape.h < p.shape.r) ctx.addIssue({ code: 'custom', path: ['shape', 'h'], message: `with pad valid h must be at least r (${p.shape.r})` });
  if (p.shape.w < p.shape.s) ctx.addIssue({ code: 'custom', path: ['shape', 'w'], message: `with pad valid w must be at least s (${p.shape.s})` });
}

export const CONV_OPS = ['conv2d', 'conv2d-bwd-data', 'conv2d-bwd-weights'] as const;
export const DEPTHWISE_OPS = ['dwconv2d', 'dwconv2d-bwd-data', 'dwconv2d-bwd-weights'] as const;
export type ConvOpName = (typeof CONV_OPS)[number] | (typeof DEPTHWISE_OPS)[number];

/**
 * conv2d forward: Y[N,OH,OW,K] = epilogue(conv(X[N,H,W,C], W[R,S,C,K])); the
 * epilogue as matmul's (bias per K), f32 only. `weights: 'fixed'` (inference)
 * lets a kernel pack W once, at load; varying (training) when absent.
 */
export const Conv2dProblem = z
  .object({ op: z.literal('conv2d'), shape: ConvShape, ...problemFields, ...convFields, epilogue: Epilogue.optional(), weights: Weights.optional() })
  .strict()
  .superRefine((p, ctx) => {
    windowFits(p, ctx);
    // An i16 output is a mantissa whose exponent is the caller's: a bias (with an exponent of its own) is theirs to align and add.
    if (p.epilogue !== undefined && p.dtype !== 'f32') ctx.addIssue({ code: 'custom', path: ['epilogue'], message: `an epilogue needs dtype f32, not ${p.dtype}` });
  });
export type Conv2dProblem = z.infer<typeof Conv2dProblem>;

const plain = <N extends string, S extends z.ZodType>(op: N, shape: S) =>
  z
    .object({ op: z.literal(op), shape, ...problemFields, ...convFields })
    .strict()
    .superRefine((p, ctx) => windowFits(p as Parameters<typeof windowFits>[0], ctx));

export const Conv2dBwdDataProblem = plain('conv2d-bwd-data', ConvShape);
export const Conv2dBwdWeightsProblem = plain('conv2d-bwd-weights', ConvShape);
export const DwConv2dProblem = plain('dwconv2d', DepthwiseShape);
export const DwConv2dBwdDataProblem = plain('dwconv2d-bwd-data', DepthwiseShape);
export const DwConv2dBwdWeightsProblem = plain('dwconv2d-bwd-weights', DepthwiseShape);

/** Any of the six convolution problems: what the shared references and codegen read. */
export interface ConvProblem {
  readonly op: ConvOpName;
  readonly shape: ConvShape | DepthwiseShape;
  readonly dtype: ConvDtype;
  readonly accuracy?: Accuracy | undefined;
  readonly stride: Stride;
  readonly pad: Pad;
  readonly epilogue?: Epilogue | undefined;
  readonly weights?: Weights | undefined;
}
