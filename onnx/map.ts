import { parseProblem, type Problem } from '../genome/ops/index.ts';
import type { EpilogueStage } from '../genome/ops/epilogue.ts';
import { KevoError } from '../lib/errors.ts';
import { attrInt, attrInts, convGeometry, dequantizeNBits, f32, transpose2d } from './ops.ts';
import { int4Layout } from '../genome/ops/matmul/int4/layout.ts';
import { dtypeOf, type OnnxDtype } from './build.ts';
import type { OnnxModel, OnnxNode, OnnxTensor } from './read.ts';

/**
 * How the executor feeds one kevo kernel: the ABI's inputs, each a constant
 * prepared once at load (weights, folded and laid out as the problem wants)
 * or a graph tensor with the transform it needs first.
 */
export type Operand =
  | { readonly kind: 'const'; readonly data: Float32Array | Uint8Array | Int8Array }
  /** A graph tensor as is (flattened row-major), or NCHW -> NHWC, or NCHW -> im2col rows [N*OH*OW, C*R*S]. */
  | { readonly kind: 'tensor'; readonly name: string; readonly layout: 'flat' | 'nhwc' | 'im2col' };

export interface KernelPlan {
  readonly problem: Problem;
  readonly operands: readonly Operand[];
  readonly output: string;
  /** ONNX's dims of the output, and whether the kernel writes it NHWC (then transposed back to NCHW). */
  readonly outputDims: readonly number[];
  readonly outputLayout: 'flat' | 'nhwc';
  /** The input's conv geometry when an operand is im2col. */
  readonly conv?: ConvGeometry;
}

export interface ConvGeometry {
  readonly n: number; readonly c: number; readonly h: number; readonly w: number;
  readonly r: number; readonly s: number; readonly stride: number; readonly top: number; readonly left: number;
  readonly oh: number; readonly ow: number;
}

/** One node, or a fused group led by a MatMul/Gemm/Conv, and what kevo does with it. */
export interface NodeMapping {
  readonly nodes: readonly string[];
  readonly ops: string;
  /** The kevo problem it is tuned as, when its op (and dtype) is registered; else why not. */
  readonly plan?: KernelPlan;
  /** How the node became that problem when not directly (im2col, dequantized at load, transB folded). */
  readonly lowering?: string;
  readonly reason?: string;
}

const TUNABLE = new Set(['MatMul', 'Gemm', 'Conv', 'MatMulNBits', 'MatMulInteger']);

/** A problem through the op registry: an op or dtype not registered in this process is a reason, not an error. */
function resolve(value: Record<string, unknown>): { problem: Problem } | { reason: string } {
  try {
    return { problem: parseProblem(value) };
  } catch (error) {
    if (error instanceof KevoError) return { reason: error.message };
    throw error;
  }
}

interface Graph {
  readonly model: OnnxModel;
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  readonly consumers: ReadonlyMap<string, OnnxNode[]>;
  readonly outputs: ReadonlySet<string>;
}

const constant = (g: Graph, name: string): OnnxTensor | undefined => g.model.initializers.get(name);
const dimsOf = (g: Graph, name: string): readonly number[] => {
  const dims = g.shapes.get(name) ?? g.model.initializers.get(name)?.dims;
  if (!dims) throw new KevoError('BAD_INPUT', `tensor "${name}" has no known shape`);
  return dims;
};
const count = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** The node that alone reads `name`, when `name` is no graph output: what an epilogue may absorb. */
function soleConsumer(g: Graph, name: string): OnnxNode | undefined {
  const list = g.consumers.get(name) ?? [];
  return list.length === 1 && !g.outputs.has(name) ? list[0] : undefined;
}

interface Epilogue {
  readonly stages: EpilogueStage[];
  readonly bias?: Float32Array;
  readonly residual?: string;
  readonly nodes: OnnxNode[];
  readonly output: string;
}

/**
 * The bias -> Relu -> residual Add that follow an anchor's output, absorbed
 * in that order while each has the previous one as its sole reader.
 * `biasOf` says whether a constant Add operand is a per-channel bias, and gives it.
 */
function epilogueAfter(g: Graph, output: string, bias: Float32Array | undefined, biasOf: (t: OnnxTensor) => Float32Array | undefined): Epilogue {
  const stages: EpilogueStage[] = bias ? ['bias'] : [];
  const nodes: OnnxNode[] = [];
  let current = output;
  let next = soleConsumer(g, current);
  const otherInput = (node: OnnxNode) => node.inputs.find((i) => i !== current) ?? '';
  const biasAdd = !bias && next?.op === 'Add' ? next : undefined;
  const found = biasAdd && ((c) => c && biasOf(c))(constant(g, otherInput(biasAdd)));
  if (biasAdd && found) {
    bias = found;
    stages.push('bias');
    nodes.push(biasAdd);
    current = biasAdd.outputs[0]!;
    next = soleConsumer(g, current);
  }
  if (next?.op === 'Relu') {
    stages.push('relu');
    nodes.push(next);
    current = next.outputs[0]!;
    next = soleConsumer(g, current);
  }
  let residual: string | undefined;
  if (next?.op === 'Add') {
    const other = otherInput(next);
    if (!constant(g, other) && count(dimsOf(g, other)) === count(dimsOf(g, current)) && dimsOf(g, other).join() === dimsOf(g, current).join()) {
      stages.push('residual');
      nodes.push(next);
      residual = other;
      current = next.outputs[0]!;
    }
  }
  return { stages, ...(bias ? { bias } : {}), ...(residual ? { residual } : {}), nodes, output: current };
}

const vectorOf = (n: number) => (t: OnnxTensor) => (t.data instanceof Float32Array && t.data.length === n && t.dims.filter((d) => d !== 1).length <= 1 ? t.data : undefined);

/**
 * Why a MatMulNBits node does not fit matmul w4 (4 bits, a block size of 32,
 * 64 or 128, packed u4 zero points or none, no g_idx or bias input), or
 * undefined when it does: then its weights, scales and zero points feed the
 * kernel as they are (ORT's layout is w4's).
 */
function nbitsMisfit(g: Graph, node: OnnxNode): string | undefined {
  const block = attrInt(node, 'block_size', 0);
  const bits = attrInt(node, 'bits', 4);
  if (bits !== 4) return `bits ${bits}: matmul w4 takes 4`;
  if (![32, 64, 128].includes(block)) return `block_size ${block}: matmul w4 takes 32, 64 or 128`;
  if (node.inputs.slice(4).some((i) => i)) return 'g_idx or bias inputs: matmul w4 takes neither';
  const zeros = node.inputs[3] ? constant(g, node.inputs[3]) : undefined;
  if (zeros && !(zeros.data instanceof Uint8Array)) return 'zero points are not packed uint8: matmul w4 takes packed 4-bit ones';
  return undefined;
}

function mapNBits(g: Graph, node: OnnxNode): NodeMapping {
  const k = attrInt(node, 'K', 0);
  const n = attrInt(node, 'N', 0);
  const block = attrInt(node, 'block_size', 0);
  const [aName, , , zName] = node.inputs;
  const [b, scales, zeros] = node.inputs.slice(1, 4).map((i) => (i ? constant(g, i) : undefined));
  const aDims = dimsOf(g, aName!);
  const m = count(aDims) / k;
  if (!b || !scales || (zName && !zeros)) return { nodes: [node.name], ops: node.op, reason: 'MatMulNBits weights, scales or zero points are not constants' };
  const misfit = nbitsMisfit(g, node);
  const w4 = misfit ? { reason: misfit } : resolve({ op: 'matmul', dtype: 'w4', group: block, shape: { m, n, k }, ...(zeros ? { zeroPoint: true } : {}) });
  if ('reason' in w4) return mapMatmul(g, node, `not matmul w4 (${w4.reason}): dequantized to f32 at load`);
  const layout = int4Layout(n, k, block);
  const sizes = [b.data.length, scales.data.length, zeros?.data.length ?? 0];
  const want = [layout.bBytes, n * layout.blocks, zeros ? n * layout.zeroPointRowBytes : 0];
  if (sizes.join() !== want.join()) return { nodes: [node.name], ops: node.op, reason: `B, scales, zero points hold ${sizes.join(', ')} values; K ${k}, N ${n}, block ${block} need ${want.join(', ')}` };
  const operands: Operand[] = [
    { kind: 'tensor', name: aName!, layout: 'flat' },
    { kind: 'const', data: b.data as Uint8Array },
    { kind: 'const', data: f32(scales, node.name) },
    ...(zeros ? [{ kind: 'const' as const, data: zeros.data as Uint8Array }] : []),
  ];
  // w4 takes no epilogue: what follows the node runs after it.
  return { nodes: [node.name], ops: node.op, plan: { problem: w4.problem, operands, output: node.outputs[0]!, outputDims: [...aDims.slice(0, -1), n], outputLayout: 'flat' }, lowering: 'packed 4-bit weights fed as stored (ORT\'s MatMulNBits layout is w4\'s)' };
}

/** MatMul, Gemm, and a MatMulNBits that does not fit w4 (`nbitsFallback` says why), as f32 matmuls with their epilogue. */
function mapMatmul(g: Graph, node: OnnxNode, nbitsFallback?: string): NodeMapping {
  const [aName, bName, cName] = node.inputs as [string, string, string?];
  const aDims = dimsOf(g, aName);
  const b = constant(g, bName);
  const isGemm = node.op === 'Gemm';
  const lowering: string[] = [];
  let k = aDims[aDims.length - 1]!;
  let m = count(aDims) / k;
  let weights: Float32Array;
  let n: number;
  let bias: Float32Array | undefined;
  let residual: Float32Array | undefined;
  if (node.op === 'MatMulNBits') {
    k = attrInt(node, 'K', 0);
    n = attrInt(node, 'N', 0);
    m = count(aDims) / k;
    const [, , scales, zeros] = node.inputs.map((i) => (i ? constant(g, i) : undefined));
    if (attrInt(node, 'bits', 4) !== 4 || (zeros && !(zeros.data instanceof Uint8Array))) return { nodes: [node.name], ops: node.op, reason: nbitsFallback ?? 'MatMulNBits of bits other than 4 or unpacked zero points' };
    weights = dequantizeNBits(b!.data as Uint8Array, f32(scales, node.name), zeros?.data as Uint8Array | undefined, k, n, attrInt(node, 'block_size', 0));
    lowering.push(nbitsFallback ?? 'dequantized to f32 at load');
  } else {
    if (!b || !(b.data instanceof Float32Array)) return { nodes: [node.name], ops: node.op, reason: 'B is not a float32 constant (kevo tunes weights-stationary products)' };
    if (b.dims.length !== 2) return { nodes: [node.name], ops: node.op, reason: `B has rank ${b.dims.length}, not 2` };
    weights = b.data;
    n = b.dims[1]!;
    if (isGemm) {
      if (attrInt(node, 'transA', 0) !== 0) return { nodes: [node.name], ops: node.op, reason: 'Gemm transA=1: A would be transposed on every run (not supported)' };
      if (aDims.length !== 2) return { nodes: [node.name], ops: node.op, reason: `Gemm A has rank ${aDims.length}` };
      if (attrInt(node, 'transB', 0) !== 0) {
        weights = transpose2d(weights, b.dims[0]!, b.dims[1]!);
        n = b.dims[0]!;
        lowering.push('transB folded into B at load');
      }
      const alpha = Number(node.attributes.alpha ?? 1);
      const beta = Number(node.attributes.beta ?? 1);
      if (alpha !== 1) {
        weights = weights.map((v) => v * alpha);
        lowering.push(`alpha ${alpha} folded into B`);
      }
      const c = cName ? constant(g, cName) : undefined;
      if (cName && !c) return { nodes: [node.name], ops: node.op, reason: 'Gemm C is not a constant' };
      if (c) {
        const scaled = (c.data as Float32Array).map((v) => v * beta);
        if (scaled.length === n && vectorOf(n)(c)) bias = scaled;
        else if (scaled.length === m * n) residual = scaled;
        else return { nodes: [node.name], ops: node.op, reason: `Gemm C of dims [${c.dims.join(', ')}] is neither a bias [N] nor [M, N]` };
      }
    }
  }
  if (weights.length !== k * n) return { nodes: [node.name], ops: node.op, reason: `B holds ${weights.length} values, K x N = ${k * n}` };
  // A constant C [M, N] is added before anything that follows, where kevo's epilogue has no stage: fuse it alone.
  const epi: Epilogue = residual ? { stages: ['residual'], nodes: [], output: node.outputs[0]! } : epilogueAfter(g, node.outputs[0]!, bias, vectorOf(n));
  const stages = epi.stages;
  const resolved = resolve({ op: 'matmul', shape: { m, n, k }, ...(stages.length ? { epilogue: stages } : {}) });
  const group = [node, ...epi.nodes];
  if ('reason' in resolved) return { nodes: group.map((x) => x.name), ops: group.map((x) => x.op).join('+'), reason: resolved.reason };
  const operands: Operand[] = [
    { kind: 'tensor', name: aName, layout: 'flat' },
    { kind: 'const', data: weights },
    ...(epi.bias ? [{ kind: 'const' as const, data: epi.bias }] : []),
    ...(residual ? [{ kind: 'const' as const, data: residual }] : epi.residual ? [{ kind: 'tensor' as const, name: epi.residual, layout: 'flat' as const }] : []),
  ];
  const outputDims = node.op === 'Gemm' ? [m, n] : [...aDims.slice(0, -1), n];
  return {
    nodes: group.map((x) => x.name),
    ops: group.map((x) => x.op).join('+'),
    plan: { problem: resolved.problem, operands, output: epi.output, outputDims, outputLayout: 'flat' },
    ...(lowering.length ? { lowering: lowering.join('; ') } : {}),
  };
}

function mapConv(g: Graph, node: OnnxNode): NodeMapping {
  const [xName, wName, bName] = node.inputs as [string, string, string?];
  const w = constant(g, wName);
  const [n, c, h, wd] = dimsOf(g, xName) as [number, number, number, number];
  if (!w || !(w.data instanceof Float32Array) || w.dims.length !== 4) return { nodes: [node.name], ops: node.op, reason: 'Conv weights are not a 4-D float32 constant (only 2-D convolutions are mapped)' };
  const [k, cg, r, s] = w.dims as [number, number, number, number];
  const group = attrInt(node, 'group', 1);
  const strides = attrInts(node, 'strides', [1, 1]);
  if (attrInts(node, 'dilations', [1, 1]).some((d) => d !== 1)) return { nodes: [node.name], ops: node.op, reason: 'dilated Conv is not mapped' };
  if (strides[0] !== strides[1]) return { nodes: [node.name], ops: node.op, reason: `Conv strides [${strides.join(', ')}] differ by axis` };
  const stride = strides[0]!;
  const geo = convGeometry(node, h, wd, r, s);
  // kevo's 'same' is TF's: ceil(size / stride) outputs, the smaller half of the padding before. ONNX's explicit pads may differ (pads 1 at stride 2).
  const sameBefore = (size: number, window: number, out: number) => Math.floor(Math.max((out - 1) * stride + window - size, 0) / 2);
  const pad = geo.top + geo.bottom + geo.left + geo.right === 0
    ? 'valid'
    : geo.oh === Math.ceil(h / stride) && geo.ow === Math.ceil(wd / stride) && geo.top === sameBefore(h, r, geo.oh) && geo.left === sameBefore(wd, s, geo.ow)
      ? 'same'
      : undefined;
  const depthwise = group === c && group === k && cg === 1;
  if (group !== 1 && !depthwise) return { nodes: [node.name], ops: node.op, reason: `grouped Conv (group ${group}) is neither dense nor depthwise` };
  const bias = bName ? constant(g, bName)?.data as Float32Array | undefined : undefined;
  const epi = epilogueAfter(g, node.outputs[0]!, bias, vectorOf(k));
  const nodes = [node, ...epi.nodes];
  const names = nodes.map((x) => x.name);
  const ops = nodes.map((x) => x.op).join('+');
  const extras: Operand[] = [
    ...(epi.bias ? [{ kind: 'const' as const, data: epi.bias }] : []),
    ...(epi.residual ? [{ kind: 'tensor' as const, name: epi.residual, layout: 'nhwc' as const }] : []),
  ];
  const fields = { ...(epi.stages.length ? { epilogue: epi.stages } : {}) };
  const conv: ConvGeometry = { n, c, h, w: wd, r, s, stride, top: geo.top, left: geo.left, oh: geo.oh, ow: geo.ow };
  const outputDims = [n, k, geo.oh, geo.ow];
  // ONNX is NCHW/OIHW; kevo's convolutions are NHWC/HWIO: weights are laid out once at load, activations transposed at the node's boundary.
  const hwio = hwioOf(w.data, k, cg, r, s);
  // dwconv2d has no K (one filter per channel) and no epilogue.
  if (depthwise && pad && epi.stages.length > 0 && !bias) {
    // dwconv2d fuses nothing: without a bias of its own the Conv maps alone and what follows runs as it is.
    const alone = resolve({ op: 'dwconv2d', shape: { n, h, w: wd, c, r, s }, stride, pad });
    if ('problem' in alone) {
      return { nodes: [node.name], ops: node.op, lowering: 'NCHW -> NHWC at the node boundary, weights OIHW -> HWIO at load; its epilogue runs unfused', plan: { problem: alone.problem, operands: [{ kind: 'tensor', name: xName, layout: 'nhwc' }, { kind: 'const', data: hwio }], output: node.outputs[0]!, outputDims, outputLayout: 'nhwc', conv } };
    }
    return { nodes: [node.name], ops: node.op, reason: alone.reason };
  }
  const direct = !pad
    ? { reason: `pads [${[geo.top, geo.left, geo.bottom, geo.right].join(', ')}] are neither kevo's same (TF's) nor valid` }
    : depthwise && epi.stages.length > 0
      ? { reason: `dwconv2d takes no bias or epilogue (${epi.stages.join(', ')})` }
      : resolve(depthwise ? { op: 'dwconv2d', shape: { n, h, w: wd, c, r, s }, stride, pad } : { op: 'conv2d', shape: { n, h, w: wd, c, k, r, s }, stride, pad, ...fields });
  if ('problem' in direct) {
    return { nodes: names, ops, lowering: 'NCHW -> NHWC at the node boundary, weights OIHW -> HWIO at load', plan: { problem: direct.problem, operands: [{ kind: 'tensor', name: xName, layout: 'nhwc' }, { kind: 'const', data: hwio }, ...extras], output: epi.output, outputDims, outputLayout: 'nhwc', conv } };
  }
  if (depthwise) return { nodes: names, ops, reason: direct.reason };
  // A dense convolution is a matmul over im2col rows: [N*OH*OW, R*S*C] x HWIO [R*S*C, K] -> NHWC.
  const lowered = resolve({ op: 'matmul', shape: { m: n * geo.oh * geo.ow, n: k, k: r * s * c }, ...fields });
  if ('reason' in lowered) return { nodes: names, ops, reason: `${direct.reason}; as im2col + matmul: ${lowered.reason}` };
  return {
    nodes: names,
    ops,
    lowering: `not conv2d (${direct.reason}): im2col + matmul (${r === 1 && s === 1 && stride === 1 ? 'a 1x1 conv: im2col is the NHWC transpose' : 'im2col rows built per run'})`,
    plan: { problem: lowered.problem, operands: [{ kind: 'tensor', name: xName, layout: 'im2col' }, { kind: 'const', data: hwio }, ...extras], output: epi.output, outputDims, outputLayout: 'nhwc', conv },
  };
}

/** OIHW (ONNX) -> HWIO (kevo), i.e. [R, S, C, K] row-major. */
function hwioOf(w: Float32Array, k: number, c: number, r: number, s: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let o = 0; o < k; o++) for (let ci = 0; ci < c; ci++) for (let i = 0; i < r; i++) for (let j = 0; j < s; j++) out[((i * s + j) * c + ci) * k + o] = w[((o * c + ci) * r + i) * s + j]!;
  return out;
}

/** A tensor's ONNX element type where the graph says it: an initializer's or a graph input's. */
function elementType(g: Graph, name: string): OnnxDtype | undefined {
  const init = constant(g, name);
  return init ? dtypeOf(init.data) : g.model.inputs.find((i) => i.name === name)?.dtype;
}

/**
 * ONNX MatMulInteger as kevo's u8i8 (u8 A, i8 B, each with a scalar zero
 * point) or i8 (i8 x i8, zero points absent or 0). A zero point may be a graph
 * tensor (DynamicQuantizeLinear's output) as long as it is one value; a
 * per-row or per-column one does not fit and runs in JS.
 */
function mapInteger(g: Graph, node: OnnxNode): NodeMapping {
  const [aName, bName, zaName, zbName] = node.inputs as [string, string, string?, string?];
  const refuse = (reason: string): NodeMapping => ({ nodes: [node.name], ops: node.op, reason });
  const aDims = dimsOf(g, aName);
  const bDims = dimsOf(g, bName);
  const k = aDims[aDims.length - 1]!;
  const m = count(aDims) / k;
  if (bDims.length !== 2 || bDims[0] !== k) return refuse(`B of dims [${bDims.join(', ')}] is not [K, N] with K = ${k}`);
  const n = bDims[1]!;
  const types = [elementType(g, aName), elementType(g, bName)];
  const dtype = types.join() === 'uint8,int8' ? 'u8i8' : types.join() === 'int8,int8' ? 'i8' : undefined;
  if (!dtype) return refuse(`A ${types[0] ?? 'of unknown type'} x B ${types[1] ?? 'of unknown type'}: kevo has u8 x i8 (u8i8) and i8 x i8`);
  const zeroPoint = (name: string | undefined, Type: typeof Uint8Array | typeof Int8Array, what: string): Operand | string => {
    if (!name) return { kind: 'const', data: new Type(1) };
    const c = constant(g, name);
    if (count(dimsOf(g, name)) !== 1) return `${what} of dims [${dimsOf(g, name).join(', ')}] is not one value (kevo's zero points are scalars)`;
    return c ? { kind: 'const', data: Type.from(c.data as ArrayLike<number>) } : { kind: 'tensor', name, layout: 'flat' };
  };
  const za = zeroPoint(zaName, dtype === 'u8i8' ? Uint8Array : Int8Array, 'a_zero_point');
  const zb = zeroPoint(zbName, Int8Array, 'b_zero_point');
  if (typeof za === 'string') return refuse(za);
  if (typeof zb === 'string') return refuse(zb);
  // kevo's i8 takes no zero points: only zeros (or none) fit.
  const zero = (z: Operand) => z.kind === 'const' && z.data.every((v) => v === 0);
  if (dtype === 'i8' && !(zero(za) && zero(zb))) return refuse('i8 x i8 with zero points other than 0: kevo\'s i8 takes none');
  const resolved = resolve({ op: 'matmul', dtype, shape: { m, n, k } });
  if ('reason' in resolved) return refuse(resolved.reason);
  const b = constant(g, bName);
  const bOperand: Operand = b ? { kind: 'const', data: b.data as Int8Array } : { kind: 'tensor', name: bName, layout: 'flat' };
  const a: Operand = { kind: 'tensor', name: aName, layout: 'flat' };
  return {
    nodes: [node.name],
    ops: node.op,
    plan: { problem: resolved.problem, operands: dtype === 'u8i8' ? [a, za, bOperand, zb] : [a, bOperand], output: node.outputs[0]!, outputDims: [...aDims.slice(0, -1), n], outputLayout: 'flat' },
  };
}

/**
 * Every node of the model, grouped and mapped: MatMul, Gemm, MatMulNBits,
 * MatMulInteger and Conv (with the bias, Relu and residual Add after them)
 * become kevo problems where their op is registered; the rest is listed with
 * the reason it is not tuned. `shapes` are every tensor's dims (from running
 * the model once, onnx/evaluate.ts).
 */
export function mapModel(model: OnnxModel, shapes: ReadonlyMap<string, readonly number[]>): NodeMapping[] {
  const consumers = new Map<string, OnnxNode[]>();
  for (const node of model.nodes) for (const input of node.inputs) consumers.set(input, [...(consumers.get(input) ?? []), node]);
  const g: Graph = { model, shapes, consumers, outputs: new Set(model.outputs.map((o) => o.name)) };
  const taken = new Set<string>();
  const mappings: NodeMapping[] = [];
  for (const node of model.nodes) {
    if (taken.has(node.name)) continue;
    let mapping: NodeMapping;
    if (!TUNABLE.has(node.op)) mapping = { nodes: [node.name], ops: node.op, reason: `${node.op} is not an op kevo tunes` };
    else if (node.inputs.some((i) => i && !g.shapes.has(i) && !model.initializers.has(i))) mapping = { nodes: [node.name], ops: node.op, reason: 'input shapes unknown (an earlier node could not run)' };
    else if (node.op === 'Conv') mapping = mapConv(g, node);
    else if (node.op === 'MatMulInteger') mapping = mapInteger(g, node);
    else if (node.op === 'MatMulNBits') mapping = mapNBits(g, node);
    else mapping = mapMatmul(g, node);
    mapping.nodes.forEach((n) => taken.add(n));
    mappings.push(mapping);
  }
  return mappings;
}
