import { onnx, type IAttributeProto, type IModelProto, type ITensorProto, type IValueInfoProto } from './proto.ts';

/** An ONNX element type kevo reads or writes, by its numpy name. */
export type OnnxDtype = 'float32' | 'uint8' | 'int8' | 'int32' | 'int64';

export type TensorData = Float32Array | Uint8Array | Int8Array | Int32Array | BigInt64Array;

/** A constant tensor (an initializer): name, dims, data in row-major order. */
export interface TensorSpec {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: TensorData;
}

/** A graph input or output: its name, element type and dims (a string dim is symbolic, e.g. "batch"). */
export interface ValueSpec {
  readonly name: string;
  readonly dtype: OnnxDtype;
  readonly dims: readonly (number | string)[];
}

/** One attribute value, tagged with its ONNX type (an int and a float look alike in JS). */
export type AttributeSpec = { int: number } | { float: number } | { ints: readonly number[] } | { floats: readonly number[] } | { string: string };

export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  /** '' (ai.onnx) unless given, e.g. 'com.microsoft' for MatMulNBits. */
  readonly domain?: string;
  readonly attributes?: Readonly<Record<string, AttributeSpec>>;
}

export interface GraphSpec {
  readonly name?: string;
  readonly inputs: readonly ValueSpec[];
  readonly outputs: readonly ValueSpec[];
  readonly nodes: readonly NodeSpec[];
  readonly initializers?: readonly TensorSpec[];
  /** ai.onnx opset (default 17); com.microsoft's version 1 is imported when a node uses it. */
  readonly opset?: number;
}

const DTYPE_CODES: Record<OnnxDtype, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  uint8: onnx.TensorProto.DataType.UINT8,
  int8: onnx.TensorProto.DataType.INT8,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
};

export function dtypeOf(data: TensorData): OnnxDtype {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Int32Array) return 'int32';
  return 'int64';
}

export const dtypeCode = (dtype: OnnxDtype): number => DTYPE_CODES[dtype];

function tensorProto(t: TensorSpec): ITensorProto {
  // raw_data: little-endian bytes, as every runtime reads it; typed arrays are little-endian on every host Node runs on.
  const rawData = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice();
  return { name: t.name, dims: [...t.dims], dataType: DTYPE_CODES[dtypeOf(t.data)], rawData };
}

function valueInfo(v: ValueSpec): IValueInfoProto {
  const dim = v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name: v.name, type: { tensorType: { elemType: DTYPE_CODES[v.dtype], shape: { dim } } } };
}

function attribute(name: string, a: AttributeSpec): IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('int' in a) return { name, type: T.INT, i: a.int };
  if ('float' in a) return { name, type: T.FLOAT, f: a.float };
  if ('ints' in a) return { name, type: T.INTS, ints: [...a.ints] };
  if ('floats' in a) return { name, type: T.FLOATS, floats: [...a.floats] };
  return { name, type: T.STRING, s: new TextEncoder().encode(a.string) };
}

/** An ONNX model's bytes from a graph: nodes in topological order, initializers, typed inputs and outputs. */
export function buildModel(graph: GraphSpec): Uint8Array {
  const usesMs = graph.nodes.some((n) => n.domain === 'com.microsoft');
  const model: IModelProto = {
    irVersion: 8,
    producerName: 'kevo',
    opsetImport: [{ domain: '', version: graph.opset ?? 17 }, ...(usesMs ? [{ domain: 'com.microsoft', version: 1 }] : [])],
    graph: {
      name: graph.name ?? 'kevo',
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
      initializer: (graph.initializers ?? []).map(tensorProto),
      node: graph.nodes.map((n, i) => ({
        name: n.name ?? `${n.op}_${i}`,
        opType: n.op,
        domain: n.domain ?? '',
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attributes ?? {}).map(([name, a]) => attribute(name, a)),
      })),
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
