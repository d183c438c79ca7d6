import { describe, expect, it } from 'vitest';
import { buildModel } from '../../onnx/build.ts';
import { onnx } from '../../onnx/proto.ts';
import { readModel } from '../../onnx/read.ts';
import { mlpModel } from '../../testkit/onnx-models.ts';

const dynamic = buildModel({
  inputs: [{ name: 'x', dtype: 'float32', dims: ['batch', 4] }],
  outputs: [{ name: 'y', dtype: 'float32', dims: ['batch', 4] }],
  nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
});

function withOpset(domain: string, version: number): Uint8Array {
  const model = onnx.ModelProto.decode(dynamic);
  model.opsetImport = [{ domain, version }];
  return onnx.ModelProto.encode(model).finish();
}

describe('readModel', () => {
  it('reads what the builder writes: nodes, attributes, initializers (int8 and uint8 too), inputs', () => {
    const model = readModel(mlpModel());
    expect(model.opset).toBe(17);
    expect(model.inputs).toEqual([{ name: 'x', dtype: 'float32', dims: [8, 256] }]);
    expect(model.nodes.map((n) => n.op)).toEqual(['MatMul', 'Add', 'Relu', 'MatMulNBits', 'Relu', 'Gemm', 'Relu']);
    expect(model.nodes[3]!).toMatchObject({ domain: 'com.microsoft', attributes: { K: 256, N: 256, bits: 4, block_size: 32 } });
    expect(model.initializers.get('w2')!.data).toBeInstanceOf(Uint8Array);
    expect(model.initializers.get('w1')!.dims).toEqual([256, 256]);
  });

  it('gives symbolic dims the values asked for', () => {
    expect(readModel(dynamic, { batch: 3 }).inputs[0]!.dims).toEqual([3, 4]);
  });

  const bad: [string, Uint8Array, RegExp][] = [
    ['text', new TextEncoder().encode('this is not a model at all, just some words\n'), /not an ONNX model/],
    ['truncated', mlpModel().slice(0, 5000), /not an ONNX model \(truncated/],
    ['empty', new Uint8Array(), /not an ONNX model/],
    ['unknown opset version', withOpset('', 99), /unknown opset: ai\.onnx version 99/],
    ['unknown opset domain', withOpset('ai.example', 1), /unknown opset domain "ai\.example"/],
    ['dynamic dims without values', dynamic, /input "x" dim 0 is dynamic \("batch"\): give it a value with --dim batch=N/],
  ];
  it.each(bad)('refuses a bad model (%s) naming the problem', (_, bytes, message) => {
    expect(() => readModel(bytes)).toThrow(expect.objectContaining({ code: 'BAD_INPUT', message: expect.stringMatching(message) }));
  });
});
