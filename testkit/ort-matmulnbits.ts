import * as ort from 'onnxruntime-web';
import onnxProto from 'onnx-proto';
import type { Int4Dims, W4Inputs } from '../genome/ops/matmul/int4/reference.ts';
import { int4Layout } from '../genome/ops/matmul/int4/layout.ts';

const { onnx } = onnxProto;

// onnx.TensorProto.DataType and AttributeProto.AttributeType values.
const FLOAT = 1;
const UINT8 = 2;
const INT = 2;

const tensor = (name: string, dataType: number, dims: number[], data: ArrayBufferView) =>
  onnx.TensorProto.create({ name, dataType, dims, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });

/**
 * A one-node ONNX model: com.microsoft MatMulNBits (bits 4, block_size G) with
 * B, scales and zero points as initializers (ORT prepacks constant weights, as
 * for a real model), A the only graph input.
 */
export function matMulNBitsModel(d: Int4Dims, w: Omit<W4Inputs, 'a'>): Uint8Array {
  const l = int4Layout(d.n, d.k, d.group);
  const matrix = (name: string, rows: number, cols: number) => ({
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimValue: rows }, { dimValue: cols }] } } },
  });
  const initializer = [tensor('B', UINT8, [d.n, l.blocks, d.group / 2], w.b), tensor('scales', FLOAT, [d.n * l.blocks], w.scales)];
  if (w.zeroPoints) initializer.push(tensor('zero_points', UINT8, [d.n * l.zeroPointRowBytes], w.zeroPoints));
  const attribute = Object.entries({ K: d.k, N: d.n, bits: 4, block_size: d.group }).map(([name, i]) => ({ name, type: INT, i }));
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [
      { domain: '', version: 21 },
      { domain: 'com.microsoft', version: 1 },
    ],
    graph: {
      name: 'matmulnbits',
      node: [{ opType: 'MatMulNBits', domain: 'com.microsoft', input: ['A', 'B', 'scales', ...(w.zeroPoints ? ['zero_points'] : [])], output: ['Y'], attribute }],
      initializer,
      input: [matrix('A', d.m, d.k)],
      output: [matrix('Y', d.m, d.n)],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** ORT Web's wasm MatMulNBits on one thread, as the peer the 4-bit kernels are compared with. */
export async function matMulNBitsSession(d: Int4Dims, w: Omit<W4Inputs, 'a'>): Promise<{ run(a: Float32Array): Promise<Float32Array>; release(): Promise<void> }> {
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(matMulNBitsModel(d, w));
  return {
    run: async (a) => (await session.run({ A: new ort.Tensor('float32', a, [d.m, d.k]) })).Y!.data as Float32Array,
    release: () => session.release(),
  };
}
