import { describe, expect, it } from 'vitest';
import { axis } from '../../../genome/ops/conv/geometry.ts';
import { opByName, parseProblem, problemFrom, problemKey, type Problem } from '../../../genome/ops/index.ts';
import { Rng } from '../../../lib/rng.ts';
import { checkOutput } from '../../../verifiers/compare.ts';

/** Small integers: every f32 sum and every perturbation below is exact, so finite differences are too. */
const integers = (rng: Rng, length: number) => Float32Array.from({ length }, () => rng.int(-4, 4));

const forward = { conv2d: ['conv2d-bwd-data', 'conv2d-bwd-weights'], dwconv2d: ['dwconv2d-bwd-data', 'dwconv2d-bwd-weights'] } as const;

/**
 * loss(X, W) = sum of G * conv(X, W). Its gradient with respect to X is
 * bwd-data(G, W), with respect to W bwd-weights(X, G): checked against
 * central differences of the forward reference, one element at a time.
 */
function checkGradients(fwd: 'conv2d' | 'dwconv2d', shape: string, fields: Record<string, unknown>): void {
  const rng = new Rng(7);
  const problem = problemFrom(fwd, shape, fields);
  const op = opByName(fwd);
  const [xSpec, wSpec] = op.inputs(problem);
  const x = integers(rng, xSpec!.dims.reduce((a, b) => a * b));
  const w = integers(rng, wSpec!.dims.reduce((a, b) => a * b));
  const g = integers(rng, op.output(problem).dims.reduce((a, b) => a * b));
  const loss = (xs: Float32Array, ws: Float32Array) => op.reference(problem, [xs, ws]).reduce((sum, y, i) => sum + y * g[i]!, 0);
  const numeric = (tensor: Float32Array, other: () => number) =>
    Float64Array.from(tensor, (value, i) => {
      tensor[i] = value + 1;
      const up = other();
      tensor[i] = value - 1;
      const down = other();
      tensor[i] = value;
      return (up - down) / 2;
    });
  const [data, weights] = forward[fwd];
  const dX = opByName(data).reference({ ...problem, op: data } as Problem, [g, w]);
  const dW = opByName(weights).reference({ ...problem, op: weights } as Problem, [x, g]);
  expect([...dX]).toEqual([...numeric(x, () => loss(x, w))]);
  expect([...dW]).toEqual([...numeric(w, () => loss(x, w))]);
}

describe('convolution ops', () => {
  it('pads as TF and XLA do', () => {
    expect(axis(5, 3, 2, 'same')).toEqual({ out: 3, before: 1 });
    expect(axis(4, 3, 2, 'same')).toEqual({ out: 2, before: 0 });
    expect(axis(13, 3, 2, 'same')).toEqual({ out: 7, before: 1 });
    expect(axis(8, 3, 1, 'same')).toEqual({ out: 8, before: 1 });
    expect(axis(6, 4, 1, 'same')).toEqual({ out: 6, before: 1 });
    expect(axis(1, 5, 1, 'same')).toEqual({ out: 1, before: 2 });
    expect(axis(13, 3, 2, 'valid')).toEqual({ out: 6, before: 0 });
  });

  it.each([
    ['n2h5w4c3k2r3s3', 1, 'same'],
    ['n1h7w6c2k3r3s3', 2, 'same'],
    ['n1h6w7c2k2r3s2', 2, 'valid'],
    ['n1h5w5c3k2r1s1', 2, 'same'],
    ['n1h4w6c2k3r2s3', 1, 'valid'],
  ])('conv2d %s stride %i %s: both gradient references match finite differences', (shape, stride, pad) => {
    checkGradients('conv2d', shape, { stride, pad });
  });

  it.each([
    ['n2h5w4c3r3s3', 1, 'same'],
    ['n1h7w6c4r3s3', 2, 'same'],
    ['n1h6w7c2r3s2', 2, 'valid'],
  ])('dwconv2d %s stride %i %s: both gradient references match finite differences', (shape, stride, pad) => {
    checkGradients('dwconv2d', shape, { stride, pad });
  });

  it('computes a known forward value: a 3x3 box filter on ones counts the taps inside the image', () => {
    const problem = problemFrom('conv2d', 'n1h3w3c1k1r3s3', { stride: 1, pad: 'same' });
    const y = opByName('conv2d').reference(problem, [new Float32Array(9).fill(1), new Float32Array(9).fill(1)]);
    expect([...y]).toEqual([4, 6, 4, 6, 9, 6, 4, 6, 4]);
  });

  it('adds the epilogue after the sum, bias per output channel', () => {
    const problem = problemFrom('conv2d', 'n1h1w1c1k2r1s1', { epilogue: ['bias', 'relu', 'residual'] });
    const op = opByName('conv2d');
    expect(op.inputs(problem).map((t) => t.name)).toEqual(['X', 'W', 'bias', 'R']);
    const y = op.reference(problem, [Float32Array.of(2), Float32Array.of(1, -3), Float32Array.of(1, 1), Float32Array.of(10, 20)]);
    expect([...y]).toEqual([13, 20]);
  });

  it('marks padding met by an Inf as either answer: magnitude NaN, the sum still the math', () => {
    const problem = problemFrom('conv2d', 'n1h1w1c1k1r3s1', {});
    const op = opByName('conv2d');
    const inputs = [Float32Array.of(2), Float32Array.of(Infinity, 1, 1)];
    expect([...op.reference(problem, inputs)]).toEqual([2]);
    const magnitude = op.magnitude(problem, inputs);
    expect(Number.isNaN(magnitude[0])).toBe(true);
    // The harness takes either answer there: the math's finite one, or the NaN a padded buffer computes.
    const expected = { indices: null, want: op.reference(problem, inputs), magnitude };
    const spec = op.output(problem);
    for (const got of [Float32Array.of(2), Float32Array.of(NaN)]) expect(checkOutput(got, expected, { abs: 0, rel: 1e-7 }, spec)).toBeNull();
    expect(checkOutput(Float32Array.of(3), { indices: null, want: Float64Array.of(2), magnitude: Float64Array.of(2) }, { abs: 0, rel: 1e-7 }, spec)).toMatch(/expected 2/);
  });

  it('names tensors in the ABI order, with NHWC activations and HWIO weights', () => {
    const names = (name: string, shape: string) => {
      const p = problemFrom(name, shape, { stride: 2 });
      const op = opByName(name);
      return [...op.inputs(p), op.output(p)].map((t) => `${t.name}[${t.dims.join(',')}]`);
    };
    expect(names('conv2d', 'n1h13w11c7k9r3s3')).toEqual(['X[1,13,11,7]', 'W[3,3,7,9]', 'Y[1,7,6,9]']);
    expect(names('conv2d-bwd-data', 'n1h13w11c7k9r3s3')).toEqual(['dY[1,7,6,9]', 'W[3,3,7,9]', 'dX[1,13,11,7]']);
    expect(names('conv2d-bwd-weights', 'n1h13w11c7k9r3s3')).toEqual(['X[1,13,11,7]', 'dY[1,7,6,9]', 'dW[3,3,7,9]']);
    expect(names('dwconv2d', 'n1h13w11c7r3s3')).toEqual(['X[1,13,11,7]', 'W[3,3,7]', 'Y[1,7,6,7]']);
    expect(names('dwconv2d-bwd-data', 'n1h13w11c7r3s3')).toEqual(['dY[1,7,6,7]', 'W[3,3,7]', 'dX[1,13,11,7]']);
    expect(names('dwconv2d-bwd-weights', 'n1h13w11c7r3s3')).toEqual(['X[1,13,11,7]', 'dY[1,7,6,7]', 'dW[3,3,7]']);
  });

  it('samples the same values it computes in full', () => {
    const rng = new Rng(3);
    for (const name of ['conv2d', 'conv2d-bwd-data', 'conv2d-bwd-weights', 'dwconv2d', 'dwconv2d-bwd-data', 'dwconv2d-bwd-weights']) {
      const p = problemFrom(name, name.startsWith('dw') ? 'n2h7w5c3r3s3' : 'n2h7w5c3k4r3s3', { stride: 2 });
      const op = opByName(name);
      const inputs = op.inputs(p).map((t) => Float32Array.from({ length: t.dims.reduce((a, b) => a * b) }, () => rng.normal()));
      const full = op.reference(p, inputs);
      const indices = [0, 5, full.length - 1];
      expect([...op.referenceAt!(p, inputs, indices).want]).toEqual(indices.map((i) => full[i]));
    }
  });

  it('parses shapes, strides and paddings into keyed problems, and defaults to stride 1, same', () => {
    const p = parseProblem({ op: 'conv2d', shape: { n: 1, h: 32, w: 32, c: 16, k: 32, r: 3, s: 3 }, stride: 1, pad: 'same' });
    expect(problemKey(p)).toBe('conv2d:n1h32w32c16k32r3s3:f32:s1-same');
    expect(problemKey(problemFrom('dwconv2d', 'n1h32w32c32r3s3'))).toBe('dwconv2d:n1h32w32c32r3s3:f32:s1-same');
    expect(problemKey(problemFrom('conv2d', 'N1H8W8C4K4R3S3', { stride: 2, pad: 'valid', epilogue: ['bias', 'relu'] }))).toBe('conv2d:n1h8w8c4k4r3s3:f32:s2-valid:bias+relu');
  });

  it.each([
    ['conv2d', 'n1h32w32c16r3s3', /shape "n1h32w32c16r3s3": expected n, h, w, c, k, r, s each followed by its size, e.g. n1h32w32c16k32r3s3/],
    ['dwconv2d', 'n1h32w32c16k16r3s3', /expected n, h, w, c, r, s each followed by its size, e.g. n1h32w32c16r3s3/],
    ['conv2d', 'n0h32w32c16k32r3s3', /n expected a positive integer/],
    ['conv2d', 'n1h32w32c16k32r17s3', /r at most 16/],
  ])('%s --shape %s is refused', (op, shape, message) => {
    expect(() => problemFrom(op, shape)).toThrow(message);
  });

  it.each([
    [{ stride: 3 }, /stride: expected 1 or 2/],
    [{ pad: 'full' }, /pad: expected same or valid/],
    [{ pad: 'valid', shape: { n: 1, h: 2, w: 8, c: 1, k: 1, r: 3, s: 3 } }, /shape\.h: with pad valid h must be at least r \(3\)/],
    [{ epilogue: ['relu', 'bias'] }, /epilogue\.1/],
    [{ dilation: 2 }, /Unrecognized key: "dilation"/],
  ])('conv2d problem %j is refused at its zod path', (fields, message) => {
    expect(() => parseProblem({ op: 'conv2d', shape: { n: 1, h: 8, w: 8, c: 1, k: 1, r: 3, s: 3 }, ...fields })).toThrow(message);
  });

  it('gives edge shapes that parse, with both strides and both paddings and channels no multiple of 4', () => {
    for (const name of ['conv2d', 'dwconv2d-bwd-weights']) {
      const p = problemFrom(name, name.startsWith('dw') ? 'n1h8w8c8r3s3' : 'n1h8w8c8k8r3s3', { pad: 'valid' });
      const edges = opByName(name).edgeShapes(p);
      for (const e of edges) parseProblem(e);
      const strides = new Set(edges.map((e) => (e as unknown as { stride: number }).stride));
      const pads = new Set(edges.map((e) => (e as unknown as { pad: string }).pad));
      expect([...strides].sort()).toEqual([1, 2]);
      expect([...pads].sort()).toEqual(['same', 'valid']);
      expect(edges.some((e) => e.shape.c! % 4 !== 0)).toBe(true);
    }
  });

  it('i16: int16 operands into an exact i32 output that wraps, keyed apart from f32, no epilogue', () => {
    const p = problemFrom('conv2d', 'n1h1w1c2k1r1s1', { dtype: 'i16', pad: 'valid' });
    expect(problemKey(p)).toBe('conv2d:n1h1w1c2k1r1s1:i16:s1-valid');
    const op = opByName('conv2d');
    expect([...op.inputs(p), op.output(p)].map((t) => t.dtype)).toEqual(['i16', 'i16', 'i32']);
    expect(op.dtypeContract!(p)).toMatch(/wraps mod 2\^32/);
    expect(op.bytes(p)).toBe(2 * 2 + 2 * 2 + 4);
    // Two (-32768)^2 products: 2^31, one past i32's top, wraps to -2^31 (as i32x4.dot_i16x8_s does).
    const min = Int16Array.of(-32768, -32768);
    expect([...op.reference(p, [min, min])]).toEqual([-(2 ** 31)]);
    expect([...op.magnitude(p, [min, min])]).toEqual([2 ** 31]);
    // Every bwd op too: dW's one element sums over the two pixels of a 1x2 image.
    const w = problemFrom('dwconv2d-bwd-weights', 'n1h1w2c1r1s1', { dtype: 'i16', pad: 'valid' });
    expect([...opByName('dwconv2d-bwd-weights').reference(w, [min, min])]).toEqual([-(2 ** 31)]);
    expect(() => problemFrom('conv2d', 'n1h8w8c1k1r3s3', { dtype: 'i16', epilogue: ['bias'] })).toThrow(/epilogue: an epilogue needs dtype f32, not i16/);
    expect(() => problemFrom('conv2d', 'n1h8w8c1k1r3s3', { dtype: 'i8' })).toThrow(/dtype: expected f32, f16 or i16/);
  });

  it('counts flops as 2 per term, the same for a pass and its gradients', () => {
    const shape = 'n1h32w32c16k32r3s3';
    const flops = ['conv2d', 'conv2d-bwd-data', 'conv2d-bwd-weights'].map((name) => opByName(name).flops(problemFrom(name, shape)));
    expect(flops).toEqual([2 * 32 * 32 * 32 * 9 * 16, 2 * 32 * 32 * 32 * 9 * 16, 2 * 32 * 32 * 32 * 9 * 16]);
  });
});
