import type { z } from 'zod';
import type { Precision } from '../accuracy.ts';
import { applyEpilogueAt, dotTolerance, epilogueParts } from '../epilogue.ts';
import { dtypeOf, type Storage } from '../../dtypes/dtype.ts';
import type { DtypeName } from '../../dtypes/name.ts';
import { decodeHalves, f16Output } from '../f16-output.ts';
import { elementCount, type Op, type TensorSpec } from '../op.ts';
import { geometry, type Geometry } from './geometry.ts';
import {
  Conv2dBwdDataProblem,
  Conv2dBwdWeightsProblem,
  Conv2dProblem,
  ConvShape,
  DepthwiseShape,
  DwConv2dBwdDataProblem,
  DwConv2dBwdWeightsProblem,
  DwConv2dProblem,
  type ConvOpName,
  type ConvProblem,
  type Pad,
  type Stride,
} from './problem.ts';
import { formatConvShape, parseConvShape } from './shape-text.ts';
import { dotAt, normProductAt } from './terms.ts';
import { winogradTolerance } from './winograd.ts';

/** Which tensor is which, per op: the two operands (ABI order) and the output, with their dims. */
interface Roles {
  readonly a: string;
  readonly b: string;
  readonly out: string;
  readonly formula: string;
  /** Terms per output element: the dot product's length in the error model. */
  readonly length: (g: Geometry) => number;
}

const activation = (g: Geometry) => [g.n, g.h, g.w, g.c];
const gradient = (g: Geometry) => [g.n, g.oh, g.ow, g.k];
const weights = (g: Geometry) => (g.depthwise ? [g.r, g.s, g.c] : [g.r, g.s, g.c, g.k]);
const dims: Record<string, (g: Geometry) => number[]> = { X: activation, dX: activation, dY: gradient, Y: gradient, W: weights, dW: weights };

const window = (g: Geometry) => g.r * g.s;
const pixels = (g: Geometry) => g.n * g.oh * g.ow;
const at = 'iy = y*stride + r - top, ix = x*stride + s - left';

const roles: Record<ConvOpName, Roles> = {
  conv2d: { a: 'X', b: 'W', out: 'Y', formula: `Y[n,y,x,k] = sum over r,s,c of X[n,iy,ix,c] * W[r,s,c,k], ${at}, X zero outside the image`, length: (g) => window(g) * g.c },
  'conv2d-bwd-data': { a: 'dY', b: 'W', out: 'dX', formula: `dX[n,iy,ix,c] = sum over r,s,k of dY[n,y,x,k] * W[r,s,c,k] over every y,x with ${at}`, length: (g) => window(g) * g.k },
  'conv2d-bwd-weights': { a: 'X', b: 'dY', out: 'dW', formula: `dW[r,s,c,k] = sum over n,y,x of X[n,iy,ix,c] * dY[n,y,x,k], ${at}, X zero outside the image`, length: pixels },
  dwconv2d: { a: 'X', b: 'W', out: 'Y', formula: `Y[n,y,x,c] = sum over r,s of X[n,iy,ix,c] * W[r,s,c], ${at}, X zero outside the image`, length: window },
  'dwconv2d-bwd-data': { a: 'dY', b: 'W', out: 'dX', formula: `dX[n,iy,ix,c] = sum over r,s of dY[n,y,x,c] * W[r,s,c] over every y,x with ${at}`, length: window },
  'dwconv2d-bwd-weights': { a: 'X', b: 'dY', out: 'dW', formula: `dW[r,s,c] = sum over n,y,x of X[n,iy,ix,c] * dY[n,y,x,c], ${at}, X zero outside the image`, length: pixels },
};

/** f32 or f16 tensors throughout, or i16 operands (dynamic fixed point mantissas) into an i32 output. */
const operand = (p: ConvProblem): DtypeName => p.dtype;
const result = (p: ConvProblem): DtypeName => (p.dtype === 'i16' ? 'i32' : p.dtype);
const spec = (name: string, g: Geometry, dtype: DtypeName): TensorSpec => ({ name, dims: dims[name]!(g), dtype });

function inputs(p: ConvProblem): TensorSpec[] {
  const g = geometry(p);
  const { bias, residual } = epilogueParts(p.epilogue);
  return [
    spec(roles[p.op].a, g, operand(p)),
    spec(roles[p.op].b, g, operand(p)),
    ...(bias ? [{ name: 'bias', dims: [g.k], dtype: 'f32' as const }] : []),
    ...(residual ? [{ name: 'R', dims: gradient(g), dtype: 'f32' as const }] : []),
  ];
}

/**
 * Reference and magnitude of a few output elements: the window's sum in f64
 * (i16: exact, wrapped in i32), then the epilogue (conv2d's, f32 only). The
 * magnitude is the one `precision`'s error model scales with: conv2d's
 * f32-winograd the norm products, else the terms'.
 */
function referenceAt(p: ConvProblem, storage: readonly Storage[], indices: ArrayLike<number>, precision?: Precision): { want: Float64Array; magnitude: Float64Array } {
  // f32 tensors, f16 bits decoded exactly (every f16 is an f32), or i16 operands (no epilogue): plain numbers a JS array reads.
  const tensors = p.dtype === 'f16' ? decodeHalves(storage) : (storage as readonly Float32Array[]);
  const wrap = p.dtype === 'i16';
  const g = geometry(p);
  const e = epilogueParts(p.epilogue);
  const extra = { bias: e.bias ? tensors[2]! : null, residual: e.residual ? tensors[e.bias ? 3 : 2]! : null };
  const want = new Float64Array(indices.length);
  const magnitude = new Float64Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const o = indices[i]!;
    const dot = dotAt(p.op, g, tensors[0]!, tensors[1]!, o, wrap);
    const abs = precision === 'f32-winograd' && p.op === 'conv2d' ? normProductAt(g, tensors[0]!, tensors[1]!, o, dot.abs) : dot.abs;
    const after = applyEpilogueAt(e, extra, o % g.k, o, dot.sum, abs);
    want[i] = after.want;
    magnitude[i] = after.magnitude;
  }
  return { want, magnitude };
}

const everyElement = (p: ConvProblem) => {
  const out = dims[roles[p.op].out]!(geometry(p));
  return Uint32Array.from({ length: out.reduce((a, b) => a * b, 1) }, (_, i) => i);
};

/**
 * Small problems that exercise the edges of any tiling and of the padding
 * logic: a single pixel and channel, odd and prime sizes, channel counts
 * that are no multiple of a vector, and both strides and both paddings
 * whatever the problem's own (a kernel's code is generated per problem, so
 * the same genome must be right under each).
 */
function edgeShapes<P extends ConvProblem>(p: P): P[] {
  const depthwise = !('k' in p.shape);
  const { r, s } = p.shape;
  const edge = (n: number, h: number, w: number, c: number, k: number, stride: Stride, pad: Pad): P => {
    const shape = { n, h: Math.max(h, r), w: Math.max(w, s), c, ...(depthwise ? {} : { k }), r, s };
    return { ...p, shape, stride, pad };
  };
  const shapes = [
    edge(1, 1, 1, 1, 1, p.stride, p.pad),
    edge(2, 7, 5, 3, 5, p.stride, p.pad),
    edge(1, 13, 11, 7, 9, 2, 'same'),
    edge(1, 11, 6, 5, 13, 1, 'valid'),
    edge(1, 6, 9, 9, 7, 2, 'valid'),
    edge(1, 8, 8, 6, 4, 1, 'same'),
  ];
  const key = (q: P) => `${formatConvShape(q.shape)}:${q.stride}:${q.pad}`;
  const seen = new Set([key(p)]);
  return shapes.filter((q) => !seen.has(key(q)) && seen.add(key(q)));
}

function convOp<P extends ConvProblem>(name: ConvOpName, problem: z.ZodType<P>, shape: typeof ConvShape | typeof DepthwiseShape): Op<P> {
  const role = roles[name];
  return {
    name,
    problem,
    contract: {
      formula: `${role.formula}; NHWC activations, HWIO weights${shape === DepthwiseShape ? ' ([R,S,C], one filter per channel)' : ''}`,
      magnitude: `the same sum of |${role.a}| * |${role.b}| over the whole window, padding counted as zeros`,
    },
    parseShape: (text) => parseConvShape(shape, text) as P['shape'],
    formatShape: formatConvShape,
    dtypeContract: (p) =>
      p.dtype === 'i16'
        ? `dynamic fixed point (Das et al., 2018): ${role.a} and ${role.b} are int16 mantissas, ${role.out} is i32 and exact: the products summed in i32, which wraps mod 2^32 on overflow (no saturation, like i32.add); ${role.out}'s exponent is the sum of ${role.a}'s and ${role.b}'s, the caller's bookkeeping`
        : undefined,
    weightsFixed: (p) => p.weights === 'fixed',
    variant: (p) => [`s${p.stride}-${p.pad}`, ...(p.epilogue ? [p.epilogue.join('+')] : []), ...(p.weights === 'fixed' ? ['fixed-weights'] : [])].join(':'),
    inputs,
    output: (p) => spec(role.out, geometry(p), result(p)),
    reference: (p, tensors) => referenceAt(p, tensors, everyElement(p)).want,
    magnitude: (p, tensors, precision) => referenceAt(p, tensors, everyElement(p), precision).magnitude,
    referenceAt,
    // Adds and multiplies only, unless GELU or SiLU (exp) follow.
    // f16 holds integers exactly only up to 2048: not exact in general.
    exactOnIntegers: (p) => p.dtype === 'i16' || (p.dtype === 'f32' && [null, 'relu'].includes(epilogueParts(p.epilogue).activation)),
    tolerance: (p, precision: Precision) => {
      if (precision === 'f32-winograd' && p.op === 'conv2d') return winogradTolerance(geometry(p).c, epilogueParts(p.epilogue));
      const dot = dotTolerance(role.length(geometry(p)), epilogueParts(p.epilogue), precision);
      return p.dtype === 'f16' ? f16Output(dot) : dot;
    },
    flops: (p) => {
      const g = geometry(p);
      return 2 * pixels(g) * window(g) * g.c * (g.depthwise ? 1 : g.k);
    },
    bytes: (p) => [...inputs(p), spec(role.out, geometry(p), result(p))].reduce((sum, t) => sum + dtypeOf(t.dtype).storageBytes(elementCount(t.dims)), 0),
    edgeShapes,
  };
}

export const conv2d = convOp('conv2d', Conv2dProblem, ConvShape);
export const conv2dBwdData = convOp('conv2d-bwd-data', Conv2dBwdDataProblem, ConvShape);
export const conv2dBwdWeights = convOp('conv2d-bwd-weights', Conv2dBwdWeightsProblem, ConvShape);
export const dwconv2d = convOp('dwconv2d', DwConv2dProblem, DepthwiseShape);
export const dwconv2dBwdData = convOp('dwconv2d-bwd-data', DwConv2dBwdDataProblem, DepthwiseShape);
export const dwconv2dBwdWeights = convOp('dwconv2d-bwd-weights', DwConv2dBwdWeightsProblem, DepthwiseShape);

export const convOps = [conv2d, conv2dBwdData, conv2dBwdWeights, dwconv2d, dwconv2dBwdData, dwconv2dBwdWeights] as const;
