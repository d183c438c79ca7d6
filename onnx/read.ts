import { KevoError } from '../lib/errors.ts';
import { quote } from '../lib/quote.ts';
import type { OnnxDtype, TensorData } from './build.ts';
import { onnx, type IAttributeProto, type ITensorProto, type IValueInfoProto, type ModelProto } from './proto.ts';

/** The newest ai.onnx opset whose semantics the mapper and the executor know (ONNX 1.17). */
export const MAX_OPSET = 22;
const DOMAINS = ['', 'ai.onnx', 'com.microsoft'];

export interface OnnxTensor {
  readonly dims: readonly number[];
  readonly data: TensorData;
}

export type AttributeValue = number | readonly number[] | string | OnnxTensor;

export interface OnnxNode {
  readonly name: string;
  readonly op: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

/** A graph input or output with every dim known (symbolic ones given a value by the caller). */
export interface OnnxValue {
  readonly name: string;
  readonly dtype: OnnxDtype;
  readonly dims: readonly number[];
}

export interface OnnxModel {
  readonly opset: number;
  readonly inputs: readonly OnnxValue[];
  /** Their dims come from running the model (onnx/executor.ts inferShapes). */
  readonly outputs: readonly Omit<OnnxValue, 'dims'>[];
  readonly nodes: readonly OnnxNode[];
  readonly initializers: ReadonlyMap<string, OnnxTensor>;
}

const T = onnx.TensorProto.DataType;
const DTYPES = new Map<number, OnnxDtype>([
  [T.FLOAT, 'float32'],
  [T.UINT8, 'uint8'],
  [T.INT8, 'int8'],
  [T.INT32, 'int32'],
  [T.INT64, 'int64'],
]);

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v as { toString(): string }));

function dtypeNamed(code: number | null | undefined, what: string): OnnxDtype {
  const dtype = DTYPES.get(code ?? 0);
  if (!dtype) throw new KevoError('BAD_INPUT', `${what}: element type ${String(onnx.TensorProto.DataType[code ?? 0] ?? code)} is not supported (float32, uint8, int8, int32, int64)`);
  return dtype;
}

function copyRaw(raw: Uint8Array, dtype: OnnxDtype): TensorData {
  // A copy: protobufjs hands out Node Buffers, views into a shared pool at any offset.
  const bytes = new Uint8Array(raw).buffer;
  if (dtype === 'float32') return new Float32Array(bytes);
  if (dtype === 'uint8') return new Uint8Array(bytes);
  if (dtype === 'int8') return new Int8Array(bytes);
  if (dtype === 'int32') return new Int32Array(bytes);
  return new BigInt64Array(bytes);
}

/** A TensorProto's values, from raw_data or the typed repeated fields, checked against its dims. */
export function decodeTensor(t: ITensorProto, what: string): OnnxTensor {
  const dtype = dtypeNamed(t.dataType, what);
  const dims = (t.dims ?? []).map(num);
  const count = dims.reduce((a, b) => a * b, 1);
  let data: TensorData;
  if (t.rawData && t.rawData.length > 0) {
    const width = dtype === 'float32' || dtype === 'int32' ? 4 : dtype === 'int64' ? 8 : 1;
    if (t.rawData.length !== count * width) throw new KevoError('BAD_INPUT', `${what}: raw data holds ${t.rawData.length} bytes, dims [${dims.join(', ')}] need ${count * width}`);
    data = copyRaw(t.rawData, dtype);
  } else if (dtype === 'float32') data = Float32Array.from(t.floatData ?? []);
  else if (dtype === 'int64') data = BigInt64Array.from((t.int64Data ?? []).map((v) => BigInt(num(v))));
  else if (dtype === 'int32') data = Int32Array.from(t.int32Data ?? []);
  else if (dtype === 'int8') data = Int8Array.from(t.int32Data ?? []);
  else data = Uint8Array.from(t.int32Data ?? []);
  if (data.length !== count) throw new KevoError('BAD_INPUT', `${what}: ${data.length} values, dims [${dims.join(', ')}] need ${count}`);
  return { dims, data };
}

function attributeValue(a: IAttributeProto, what: string): AttributeValue {
  const A = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case A.INT: return num(a.i ?? 0);
    case A.FLOAT: return a.f ?? 0;
    case A.INTS: return (a.ints ?? []).map(num);
    case A.FLOATS: return [...(a.floats ?? [])];
    case A.STRING: return new TextDecoder().decode(a.s ?? new Uint8Array());
    case A.TENSOR: return decodeTensor(a.t ?? {}, what);
    default: throw new KevoError('BAD_INPUT', `${what}: attribute type ${String(A[a.type ?? 0] ?? a.type)} is not supported`);
  }
}

function value(v: IValueInfoProto, dimValues: Readonly<Record<string, number>>): OnnxValue {
  const name = v.name ?? '';
  const tensor = v.type?.tensorType;
  if (!tensor) throw new KevoError('BAD_INPUT', `graph value ${quote(name)} is not a tensor`);
  const dims = (tensor.shape?.dim ?? []).map((d, i) => {
    if (d.dimParam) {
      const given = dimValues[d.dimParam];
      if (given === undefined) throw new KevoError('BAD_INPUT', `input ${quote(name)} dim ${i} is dynamic (${quote(d.dimParam)}): give it a value with --dim ${d.dimParam}=N`);
      return given;
    }
    const n = num(d.dimValue ?? 0);
    if (n < 1) throw new KevoError('BAD_INPUT', `input ${quote(name)} dim ${i} has no value (a dynamic shape kevo cannot time): the model must fix it`);
    return n;
  });
  if (!tensor.shape) throw new KevoError('BAD_INPUT', `input ${quote(name)} has no shape (a dynamic shape kevo cannot time)`);
  return { name, dtype: dtypeNamed(tensor.elemType, `input ${quote(name)}`), dims };
}

function decodeModel(bytes: Uint8Array): ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new KevoError('BAD_INPUT', `not an ONNX model (truncated or not protobuf: ${(error as Error).message})`);
  }
}

/**
 * An ONNX model from its bytes, checked: a graph with nodes, opsets kevo
 * knows, tensors it can read, every input dim known (`dims` gives symbolic
 * ones a value). Anything else is BAD_INPUT naming what is wrong.
 */
export function readModel(bytes: Uint8Array, dims: Readonly<Record<string, number>> = {}): OnnxModel {
  const model = decodeModel(bytes);
  const graph = model.graph;
  if (!graph || (graph.node ?? []).length === 0 || (model.opsetImport ?? []).length === 0) {
    throw new KevoError('BAD_INPUT', 'not an ONNX model (no graph, nodes or opset import)');
  }
  let opset = 0;
  for (const imp of model.opsetImport ?? []) {
    const domain = imp.domain ?? '';
    const version = num(imp.version ?? 0);
    if (!DOMAINS.includes(domain)) throw new KevoError('BAD_INPUT', `unknown opset domain ${quote(domain)} (kevo knows ai.onnx and com.microsoft)`);
    if (domain === '' || domain === 'ai.onnx') {
      if (version < 1 || version > MAX_OPSET) throw new KevoError('BAD_INPUT', `unknown opset: ai.onnx version ${version} (kevo knows 1 to ${MAX_OPSET})`);
      opset = version;
    }
  }
  if (opset === 0) throw new KevoError('BAD_INPUT', 'the model imports no ai.onnx opset');
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', decodeTensor(t, `initializer ${quote(t.name ?? '')}`)] as const));
  const nodes = (graph.node ?? []).map((n, i): OnnxNode => {
    const name = n.name || `${n.opType ?? 'node'}_${i}`;
    return {
      name,
      op: n.opType ?? '',
      domain: n.domain ?? '',
      inputs: [...(n.input ?? [])],
      outputs: [...(n.output ?? [])],
      attributes: Object.fromEntries((n.attribute ?? []).map((a) => [a.name ?? '', attributeValue(a, `node ${quote(name)} attribute ${quote(a.name ?? '')}`)])),
    };
  });
  return {
    opset,
    // Initializers may also be listed as inputs (IR < 4): they are constants, not what a caller feeds.
    inputs: (graph.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map((v) => value(v, dims)),
    outputs: (graph.output ?? []).map((v) => ({ name: v.name ?? '', dtype: dtypeNamed(v.type?.tensorType?.elemType, `output ${quote(v.name ?? '')}`) })),
    nodes,
    initializers,
  };
}
