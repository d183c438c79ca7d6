import * as ort from 'onnxruntime-web';
import { buildModel, type GraphSpec, type TensorData } from '../../onnx/build.ts';
import type { Contender } from './timing.ts';

let configured = false;

/** onnxruntime-web's wasm SIMD build on one thread, as measured in shared/measurements.md. */
function configure(): void {
  if (configured) return;
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.logLevel = 'error';
  configured = true;
}

export interface OrtContender extends Contender {
  output(): Promise<ArrayLike<number>>;
}

/**
 * A one-node (or small) ONNX model in an onnxruntime-web session, as a
 * contender: `feeds` are the graph inputs (activations), the weights are
 * initializers, so ORT prepacks them at load as a deployed model does.
 * Timed per session.run(), what ORT's user pays per call.
 */
export async function ortContender(name: string, graph: GraphSpec, feeds: Readonly<Record<string, { data: TensorData; dims: readonly number[] }>>, flops: number): Promise<OrtContender> {
  configure();
  const session = await ort.InferenceSession.create(buildModel(graph), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const inputs = Object.fromEntries(
    Object.entries(feeds).map(([key, f]) => [key, new ort.Tensor(ortType(f.data), f.data as never, [...f.dims])]),
  );
  const outputName = graph.outputs[0]!.name;
  const run = () => session.run(inputs);
  return {
    name,
    flops,
    async time(times) {
      const start = performance.now();
      for (let i = 0; i < times; i++) {
        const out = await run();
        for (const t of Object.values(out)) t.dispose();
      }
      return (performance.now() - start) / times;
    },
    async output() {
      const out = await run();
      return out[outputName]!.data as ArrayLike<number>;
    },
  };
}

function ortType(data: TensorData): 'float32' | 'uint8' | 'int8' | 'int32' | 'int64' {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int32Array) return 'int32';
  return 'int64';
}

/** C[M,N] = A[M,K] x B[K,N], f32, B an initializer. */
export function matmulF32Graph(m: number, n: number, k: number, b: Float32Array): GraphSpec {
  return {
    inputs: [{ name: 'A', dtype: 'float32', dims: [m, k] }],
    outputs: [{ name: 'C', dtype: 'float32', dims: [m, n] }],
    nodes: [{ op: 'MatMul', inputs: ['A', 'B'], outputs: ['C'] }],
    initializers: [{ name: 'B', dims: [k, n], data: b }],
  };
}

/** ONNX MatMulInteger: C i32 = (A - a_zero_point) x (B - b_zero_point), A u8 or i8 fed per call, B i8 and both zero points initializers. */
export function matmulIntegerGraph(m: number, n: number, k: number, a: 'uint8' | 'int8', b: Int8Array, aZeroPoint: number, bZeroPoint: number): GraphSpec {
  return {
    inputs: [{ name: 'A', dtype: a, dims: [m, k] }],
    outputs: [{ name: 'C', dtype: 'int32', dims: [m, n] }],
    nodes: [{ op: 'MatMulInteger', inputs: ['A', 'B', 'a_zero_point', 'b_zero_point'], outputs: ['C'] }],
    initializers: [
      { name: 'B', dims: [k, n], data: b },
      { name: 'a_zero_point', dims: [], data: a === 'uint8' ? Uint8Array.of(aZeroPoint) : Int8Array.of(aZeroPoint) },
      { name: 'b_zero_point', dims: [], data: Int8Array.of(bZeroPoint) },
    ],
  };
}

/**
 * com.microsoft MatMulNBits, 4 bits: A f32 [M,K] fed per call; B the packed
 * weights [N, ceil(K/G), G/2] (low nibble first, zero point 8 unless
 * zeroPoints are given, packed 4-bit [N * ceil(ceil(K/G)/2)]), scales [N * ceil(K/G)].
 */
export function matmulNBitsGraph(m: number, n: number, k: number, group: number, packed: Uint8Array, scales: Float32Array, zeroPoints?: Uint8Array): GraphSpec {
  const blocks = Math.ceil(k / group);
  return {
    inputs: [{ name: 'A', dtype: 'float32', dims: [m, k] }],
    outputs: [{ name: 'C', dtype: 'float32', dims: [m, n] }],
    nodes: [
      {
        op: 'MatMulNBits',
        domain: 'com.microsoft',
        inputs: ['A', 'B', 'scales', ...(zeroPoints ? ['zero_points'] : [])],
        outputs: ['C'],
        attributes: { K: { int: k }, N: { int: n }, bits: { int: 4 }, block_size: { int: group } },
      },
    ],
    initializers: [
      { name: 'B', dims: [n, blocks, group / 2], data: packed },
      { name: 'scales', dims: [n * blocks], data: scales },
      ...(zeroPoints ? [{ name: 'zero_points', dims: [zeroPoints.length], data: zeroPoints }] : []),
    ],
  };
}
