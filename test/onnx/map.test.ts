import { describe, expect, it } from 'vitest';
import { familyFor } from '../../genome/families/registry.ts';
import { buildModel, type GraphSpec, type TensorSpec } from '../../onnx/build.ts';
import { compileModel, inferShapes } from '../../onnx/executor.ts';
import { mapModel } from '../../onnx/map.ts';
import { findOp } from '../../genome/ops/index.ts';
import { readModel, type OnnxTensor } from '../../onnx/read.ts';
import { compareOutputs, modelInputs } from '../../tune/measure.ts';
import { ortModel } from '../../onnx/ort.ts';
import { dscnnModel } from '../../testkit/onnx-models.ts';
import { Rng } from '../../lib/rng.ts';

const rng = new Rng(7);
const tensor = (name: string, dims: number[]): TensorSpec => ({ name, dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rng.next() - 0.5) });

function mapped(graph: GraphSpec) {
  const model = readModel(buildModel(graph));
  const inputs = modelInputs(model, 3);
  return { model, inputs, mappings: mapModel(model, inferShapes(model, inputs)) };
}

/** The model run with kevo's baseline kernels for its mapped groups, against the all-JS reference run. */
async function runBoth(model: ReturnType<typeof mapped>) {
  const groups = model.mappings.filter((m) => m.plan).map((mapping) => ({ mapping, code: familyFor(mapping.plan!.problem.op, 'wasm', mapping.plan!.problem.dtype).baseline(mapping.plan!.problem) }));
  const out = model.model.outputs[0]!.name;
  const kevo = (await compileModel(model.model, groups)).run(model.inputs).get(out)!;
  const ref = (await compileModel(model.model)).run(model.inputs).get(out)!;
  return { kevo, ref };
}

function maxDiff(a: OnnxTensor, b: OnnxTensor): number {
  expect(a.dims).toEqual(b.dims);
  const x = a.data as Float32Array;
  const y = b.data as Float32Array;
  return Math.max(...Array.from(x, (v, i) => Math.abs(v - y[i]!)));
}

const input = (dims: number[]) => [{ name: 'x', dtype: 'float32' as const, dims }];
const output = (dims: number[]) => [{ name: 'y', dtype: 'float32' as const, dims }];

describe('ONNX nodes -> kevo problems', () => {
  it('fuses MatMul + Add(bias) + Relu + Add(residual) into one matmul with its epilogue, and runs it as ONNX does', async () => {
    const m = mapped({
      inputs: input([6, 16]),
      outputs: output([6, 16]),
      initializers: [tensor('w', [16, 16]), tensor('b', [16])],
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w'], outputs: ['h'] },
        { op: 'Add', inputs: ['h', 'b'], outputs: ['hb'] },
        { op: 'Relu', inputs: ['hb'], outputs: ['a'] },
        { op: 'Add', inputs: ['a', 'x'], outputs: ['y'] },
      ],
    });
    expect(m.mappings).toHaveLength(1);
    expect(m.mappings[0]!.ops).toBe('MatMul+Add+Relu+Add');
    expect(m.mappings[0]!.plan!.problem).toEqual({ op: 'matmul', shape: { m: 6, n: 16, k: 16 }, dtype: 'f32', epilogue: ['bias', 'relu', 'residual'] });
    const { kevo, ref } = await runBoth(m);
    expect(maxDiff(kevo, ref)).toBeLessThan(1e-5);
  });

  it('folds Gemm transB and alpha into B at load, and C into the bias (scaled by beta)', async () => {
    const m = mapped({
      inputs: input([5, 12]),
      outputs: output([5, 7]),
      initializers: [tensor('w', [7, 12]), tensor('c', [7])],
      nodes: [{ op: 'Gemm', inputs: ['x', 'w', 'c'], outputs: ['y'], attributes: { transB: { int: 1 }, alpha: { float: 2 }, beta: { float: 0.5 } } }],
    });
    expect(m.mappings[0]!.lowering).toMatch(/transB folded.*alpha 2 folded/);
    expect(m.mappings[0]!.plan!.problem).toMatchObject({ shape: { m: 5, n: 7, k: 12 }, epilogue: ['bias'] });
    const { kevo, ref } = await runBoth(m);
    expect(maxDiff(kevo, ref)).toBeLessThan(1e-5);
  });

  it('refuses Gemm transA=1 and a B that is not a constant, with the reason', () => {
    const m = mapped({
      inputs: [...input([4, 3]), { name: 'z', dtype: 'float32', dims: [4, 4] }],
      outputs: output([3, 4]),
      initializers: [tensor('w', [4, 4])],
      nodes: [
        { op: 'Gemm', inputs: ['x', 'w'], outputs: ['g'], attributes: { transA: { int: 1 } } },
        { op: 'MatMul', inputs: ['g', 'z'], outputs: ['y'] },
      ],
    });
    expect(m.mappings.map((x) => x.reason)).toEqual([expect.stringMatching(/transA=1/), expect.stringMatching(/B is not a float32 constant/)]);
  });

  it('maps a dense Conv through the registry (conv2d NHWC/HWIO), and without it lowers to im2col + matmul computing what ONNX computes', async () => {
    const m = mapped({
      inputs: input([1, 3, 9, 9]),
      outputs: output([1, 8, 5, 5]),
      initializers: [tensor('w', [8, 3, 3, 3]), tensor('b', [8])],
      nodes: [
        { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attributes: { strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] } } },
        { op: 'Relu', inputs: ['c'], outputs: ['y'] },
      ],
    });
    const [conv] = m.mappings;
    expect(conv!.ops).toBe('Conv+Relu');
    if (findOp('conv2d')) {
      expect(conv!.plan!.problem).toEqual(expect.objectContaining({ op: 'conv2d', shape: { n: 1, h: 9, w: 9, c: 3, k: 8, r: 3, s: 3 }, stride: 2, pad: 'same', epilogue: ['bias', 'relu'] }));
    } else {
      // No conv2d registered: the lowering says so, and the matmul is M = N*OH*OW, K = R*S*C.
      expect(conv!.lowering).toMatch(/not conv2d \(.*unknown op "conv2d".*\): im2col \+ matmul/);
      expect(conv!.plan!.problem).toEqual({ op: 'matmul', shape: { m: 25, n: 8, k: 27 }, dtype: 'f32', epilogue: ['bias', 'relu'] });
    }
    const { kevo, ref } = await runBoth(m);
    expect(maxDiff(kevo, ref)).toBeLessThan(1e-5);
  });

  it('maps a depthwise Conv to dwconv2d when registered (else not tuned, with the reason), and lists a node kevo has no op for', () => {
    const m = mapped({
      inputs: input([1, 4, 6, 6]),
      outputs: output([1, 4, 6, 6]),
      initializers: [tensor('w', [4, 1, 3, 3])],
      nodes: [
        { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attributes: { group: { int: 4 }, auto_pad: { string: 'SAME_UPPER' } } },
        { op: 'Sigmoid', inputs: ['c'], outputs: ['y'] },
      ],
    });
    const [dw, sigmoid] = m.mappings;
    if (findOp('dwconv2d')) expect(dw!.plan!.problem).toEqual(expect.objectContaining({ op: 'dwconv2d', shape: { n: 1, h: 6, w: 6, c: 4, r: 3, s: 3 }, stride: 1, pad: 'same' }));
    else expect(dw!.reason).toMatch(/unknown op "dwconv2d"/);
    expect([sigmoid!.ops, sigmoid!.plan, sigmoid!.reason]).toEqual(['Sigmoid', undefined, 'Sigmoid is not an op kevo tunes']);
  });

  const nbitsModel = (block: number, zeroPoints: boolean) => {
    const [k, n] = [64, 16];
    const blocks = k / block;
    return mapped({
      inputs: input([3, k]),
      outputs: output([3, n]),
      initializers: [
        { name: 'b', dims: [n, blocks, block / 2], data: Uint8Array.from({ length: (n * k) / 2 }, (_, i) => (i * 29 + 7) & 255) },
        { name: 's', dims: [n * blocks], data: Float32Array.from({ length: n * blocks }, (_, i) => 0.01 * (1 + (i % 5))) },
        ...(zeroPoints ? [{ name: 'z', dims: [n * Math.ceil(blocks / 2)], data: Uint8Array.from({ length: n * Math.ceil(blocks / 2) }, (_, i) => (i * 37 + 3) & 255) }] : []),
      ],
      nodes: [{ op: 'MatMulNBits', domain: 'com.microsoft', inputs: ['x', 'b', 's', ...(zeroPoints ? ['z'] : [])], outputs: ['y'], attributes: { K: { int: k }, N: { int: n }, bits: { int: 4 }, block_size: { int: block } } }],
    });
  };

  it('maps MatMulNBits (4 bits, block 32/64/128) to matmul w4 fed its packed weights, scales and zero points as stored, computing what ONNX computes', async () => {
    const m = nbitsModel(32, true);
    expect(m.mappings[0]!.plan!.problem).toEqual({ op: 'matmul', shape: { m: 3, n: 16, k: 64 }, dtype: 'w4', group: 32, zeroPoint: true });
    expect(m.mappings[0]!.plan!.operands.map((o) => (o.kind === 'const' ? o.data.constructor.name : o.name))).toEqual(['x', 'Uint8Array', 'Float32Array', 'Uint8Array']);
    const { kevo, ref } = await runBoth(m);
    expect(maxDiff(kevo, ref)).toBeLessThan(1e-5);
  });

  it('falls back to f32 weights dequantized at load where MatMulNBits does not fit w4 (block 16), saying why', async () => {
    const m = nbitsModel(16, false);
    expect(m.mappings[0]!.lowering).toMatch(/not matmul w4 \(block_size 16: matmul w4 takes 32, 64 or 128\): dequantized to f32 at load/);
    expect(m.mappings[0]!.plan!.problem.dtype).toBe('f32');
    const { kevo, ref } = await runBoth(m);
    expect(maxDiff(kevo, ref)).toBeLessThan(1e-5);
  });

  const integerGraph = (a: 'uint8' | 'int8', za: TensorSpec['data'] | undefined, zb: TensorSpec['data'] | undefined): GraphSpec => ({
    inputs: [{ name: 'x', dtype: a, dims: [5, 24] }],
    outputs: [{ name: 'y', dtype: 'int32', dims: [5, 8] }],
    initializers: [
      { name: 'w', dims: [24, 8], data: Int8Array.from({ length: 24 * 8 }, (_, i) => ((i * 71 + 5) % 256) - 128) },
      ...(za ? [{ name: 'za', dims: [za.length], data: za }] : []),
      ...(zb ? [{ name: 'zb', dims: [zb.length], data: zb }] : []),
    ],
    nodes: [{ op: 'MatMulInteger', inputs: ['x', 'w', za ? 'za' : '', zb ? 'zb' : ''], outputs: ['y'] }],
  });

  it('maps MatMulInteger u8 x i8 with scalar zero points to matmul u8i8, and its kernel gives exactly what onnxruntime-web gives', async () => {
    const graph = integerGraph('uint8', Uint8Array.of(131), Int8Array.of(-7));
    const m = mapped(graph);
    expect(m.mappings[0]!.plan!.problem).toEqual({ op: 'matmul', shape: { m: 5, n: 8, k: 24 }, dtype: 'u8i8' });
    const { kevo, ref } = await runBoth(m);
    expect(kevo.data).toBeInstanceOf(Int32Array);
    expect(kevo).toEqual(ref);
    const ort = await ortModel(buildModel(graph));
    try {
      expect(compareOutputs(['y'], new Map([['y', kevo]]), await ort.run(m.inputs))[0]).toMatchObject({ maxError: 0, tolerance: 0, ok: true });
    } finally {
      await ort.release();
    }
  });

  it('maps MatMulInteger i8 x i8 without zero points to matmul i8; refuses per-row zero points and nonzero ones on i8, saying why', async () => {
    const i8 = mapped(integerGraph('int8', undefined, undefined));
    expect(i8.mappings[0]!.plan!.problem.dtype).toBe('i8');
    const { kevo, ref } = await runBoth(i8);
    expect(kevo).toEqual(ref);
    expect(mapped(integerGraph('uint8', new Uint8Array(5).fill(3), undefined)).mappings[0]!.reason).toMatch(/a_zero_point of dims \[5\] is not one value/);
    expect(mapped(integerGraph('int8', Int8Array.of(2), undefined)).mappings[0]!.reason).toMatch(/i8 x i8 with zero points other than 0/);
  });
});

describe('the DS-CNN test model', () => {
  it('maps its dense convs (conv2d, or im2col + matmul), and runs with kevo baseline kernels to onnxruntime-web outputs', async () => {
    const bytes = dscnnModel();
    const model = readModel(bytes);
    const inputs = modelInputs(model, 5);
    const mappings = mapModel(model, inferShapes(model, inputs));
    const planned = mappings.filter((m) => m.plan).map((m) => m.nodes[0]);
    expect(planned).toEqual(expect.arrayContaining(['conv0', 'pw1', 'pw2', 'fc']));
    const groups = mappings.filter((m) => m.plan).map((mapping) => ({ mapping, code: familyFor(mapping.plan!.problem.op, 'wasm', mapping.plan!.problem.dtype).baseline(mapping.plan!.problem) }));
    const ours = (await compileModel(model, groups)).run(inputs);
    const ort = await ortModel(bytes);
    try {
      const [check] = compareOutputs(['y'], ours, await ort.run(inputs));
      expect(check!.ok, JSON.stringify(check)).toBe(true);
    } finally {
      await ort.release();
    }
  });
});
