import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../lib/rng.ts';
import { buildModel, type AttributeSpec, type NodeSpec, type TensorSpec } from '../onnx/build.ts';

/**
 * The two small models `kevo tune`'s tests and bench:tune run, built from a
 * seed (no downloads): weights drawn He-scaled so activations stay O(1).
 */
function weights(rng: Rng, name: string, dims: number[], fanIn: number): TensorSpec {
  const scale = Math.sqrt(2 / fanIn);
  return { name, dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rng.normal() * scale) };
}

/** MatMulNBits weights: random nibbles packed low first, per-block scales, no zero points (8). */
function nbits(rng: Rng, name: string, k: number, n: number, block: number): TensorSpec[] {
  const blocks = k / block;
  const b = Uint8Array.from({ length: n * blocks * (block / 2) }, () => rng.int(0, 256));
  const s = Float32Array.from({ length: n * blocks }, () => (0.5 + rng.next()) * Math.sqrt(2 / k) / 4);
  return [
    { name, dims: [n, blocks, block / 2], data: b },
    { name: `${name}_scales`, dims: [n * blocks], data: s },
  ];
}

/** x[8,256] -> MatMul+Add+Relu (256) -> MatMulNBits 4-bit (256, block 32) -> Relu -> Gemm transB (64) + bias + Relu -> y[8,64]. */
export function mlpModel(seed = 1): Uint8Array {
  const rng = new Rng(seed);
  const [m, d, out, block] = [8, 256, 64, 32];
  return buildModel({
    name: 'mlp-w4',
    inputs: [{ name: 'x', dtype: 'float32', dims: [m, d] }],
    outputs: [{ name: 'y', dtype: 'float32', dims: [m, out] }],
    initializers: [
      weights(rng, 'w1', [d, d], d),
      { name: 'b1', dims: [d], data: Float32Array.from({ length: d }, () => rng.normal() * 0.1) },
      ...nbits(rng, 'w2', d, d, block),
      weights(rng, 'w3', [out, d], d),
      { name: 'b3', dims: [out], data: Float32Array.from({ length: out }, () => rng.normal() * 0.1) },
    ],
    nodes: [
      { op: 'MatMul', inputs: ['x', 'w1'], outputs: ['h1'], name: 'fc1' },
      { op: 'Add', inputs: ['h1', 'b1'], outputs: ['h1b'], name: 'fc1_bias' },
      { op: 'Relu', inputs: ['h1b'], outputs: ['a1'], name: 'fc1_relu' },
      { op: 'MatMulNBits', domain: 'com.microsoft', inputs: ['a1', 'w2', 'w2_scales'], outputs: ['h2'], name: 'fc2_w4', attributes: { K: { int: d }, N: { int: d }, bits: { int: 4 }, block_size: { int: block } } },
      { op: 'Relu', inputs: ['h2'], outputs: ['a2'], name: 'fc2_relu' },
      { op: 'Gemm', inputs: ['a2', 'w3', 'b3'], outputs: ['h3'], name: 'fc3', attributes: { transB: { int: 1 } } },
      { op: 'Relu', inputs: ['h3'], outputs: ['y'], name: 'fc3_relu' },
    ],
  });
}

const conv = (name: string, x: string, w: string, b: string | undefined, y: string, attributes: Record<string, AttributeSpec>): NodeSpec[] => [
  { op: 'Conv', inputs: b ? [x, w, b] : [x, w], outputs: [`${y}_pre`], name, attributes: { pads: { ints: [1, 1, 1, 1] }, ...attributes } },
  { op: 'Relu', inputs: [`${y}_pre`], outputs: [y], name: `${name}_relu` },
];

/**
 * A DS-CNN-like network on x[1,3,64,64]: Conv 3x3 stride 2 (32), then two
 * depthwise-separable blocks (depthwise 3x3 + pointwise 1x1, the second
 * depthwise with stride 2), each conv with its Relu, global average pool,
 * and a Gemm classifier (10). Stride-2 layers pad as TF's 'same' does (the
 * extra row and column after), and the depthwise convs have no bias (a
 * batch norm folded into the pointwise conv after them): the layers kevo's
 * conv2d and dwconv2d problems describe.
 */
export function dscnnModel(seed = 2): Uint8Array {
  const rng = new Rng(seed);
  const bias = (name: string, n: number): TensorSpec => ({ name, dims: [n], data: Float32Array.from({ length: n }, () => rng.normal() * 0.05) });
  const pw = { pads: { ints: [0, 0, 0, 0] } };
  const stride2 = { strides: { ints: [2, 2] }, pads: { ints: [0, 0, 1, 1] } };
  return buildModel({
    name: 'ds-cnn',
    inputs: [{ name: 'x', dtype: 'float32', dims: [1, 3, 64, 64] }],
    outputs: [{ name: 'y', dtype: 'float32', dims: [1, 10] }],
    initializers: [
      weights(rng, 'c0_w', [32, 3, 3, 3], 27), bias('c0_b', 32),
      weights(rng, 'dw1_w', [32, 1, 3, 3], 9),
      weights(rng, 'pw1_w', [64, 32, 1, 1], 32), bias('pw1_b', 64),
      weights(rng, 'dw2_w', [64, 1, 3, 3], 9),
      weights(rng, 'pw2_w', [128, 64, 1, 1], 64), bias('pw2_b', 128),
      weights(rng, 'fc_w', [128, 10], 128), bias('fc_b', 10),
    ],
    nodes: [
      ...conv('conv0', 'x', 'c0_w', 'c0_b', 'a0', stride2),
      ...conv('dw1', 'a0', 'dw1_w', undefined, 'a1', { group: { int: 32 } }),
      ...conv('pw1', 'a1', 'pw1_w', 'pw1_b', 'a2', pw),
      ...conv('dw2', 'a2', 'dw2_w', undefined, 'a3', { group: { int: 64 }, ...stride2 }),
      ...conv('pw2', 'a3', 'pw2_w', 'pw2_b', 'a4', pw),
      { op: 'GlobalAveragePool', inputs: ['a4'], outputs: ['pool'], name: 'pool' },
      { op: 'Flatten', inputs: ['pool'], outputs: ['flat'], name: 'flatten' },
      { op: 'Gemm', inputs: ['flat', 'fc_w', 'fc_b'], outputs: ['y'], name: 'fc' },
    ],
  });
}

/**
 * x u8 [16, 64] -> MatMulInteger with i8 weights [64, 32] and scalar zero
 * points (a 128, b -3) -> y i32 [16, 32]: a dynamically quantized layer's product.
 */
export function integerModel(seed = 3): Uint8Array {
  const rng = new Rng(seed);
  const [m, k, n] = [16, 64, 32];
  return buildModel({
    name: 'matmul-integer',
    inputs: [{ name: 'x', dtype: 'uint8', dims: [m, k] }],
    outputs: [{ name: 'y', dtype: 'int32', dims: [m, n] }],
    initializers: [
      { name: 'w', dims: [k, n], data: Int8Array.from({ length: k * n }, () => rng.int(-128, 127)) },
      { name: 'x_zero', dims: [], data: Uint8Array.of(128) },
      { name: 'w_zero', dims: [], data: Int8Array.of(-3) },
    ],
    nodes: [{ op: 'MatMulInteger', inputs: ['x', 'w', 'x_zero', 'w_zero'], outputs: ['y'], name: 'qmm' }],
  });
}

/** Writes mlp.onnx, ds-cnn.onnx and matmul-integer.onnx into `dir`; returns their paths. */
export function writeTestModels(dir: string): { mlp: string; dscnn: string; integer: string } {
  mkdirSync(dir, { recursive: true });
  const paths = { mlp: join(dir, 'mlp.onnx'), dscnn: join(dir, 'ds-cnn.onnx'), integer: join(dir, 'matmul-integer.onnx') };
  writeFileSync(paths.mlp, mlpModel());
  writeFileSync(paths.dscnn, dscnnModel());
  writeFileSync(paths.integer, integerModel());
  return paths;
}
