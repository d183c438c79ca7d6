import { KevoError } from '../lib/errors.ts';
import { quote } from '../lib/quote.ts';
import type { AttributeValue, OnnxNode, OnnxTensor } from './read.ts';

/**
 * The ONNX ops the graph executor runs in plain JS, with ONNX's own
 * semantics (NCHW, OIHW, numpy broadcasting): the reference for shapes and
 * for every node kevo has no kernel for. Each takes the node's inputs ('' for
 * an absent optional one: undefined) and returns its outputs.
 */
export type OpRun = (node: OnnxNode, inputs: readonly (OnnxTensor | undefined)[]) => OnnxTensor[];

const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

export function attrInt(node: OnnxNode, name: string, fallback: number): number {
  const v = node.attributes[name];
  return typeof v === 'number' ? v : fallback;
}
export function attrInts(node: OnnxNode, name: string, fallback: readonly number[]): readonly number[] {
  const v: AttributeValue | undefined = node.attributes[name];
  return Array.isArray(v) ? v : fallback;
}
export function attrString(node: OnnxNode, name: string, fallback: string): string {
  const v = node.attributes[name];
  return typeof v === 'string' ? v : fallback;
}

export function f32(t: OnnxTensor | undefined, what: string): Float32Array {
  if (!t || !(t.data instanceof Float32Array)) throw new KevoError('BAD_INPUT', `${what}: expected a float32 tensor`);
  return t.data;
}

/** C[M,N] = A[M,K] B[K,N] in f32 with f64 sums: the reference every kevo kernel's output is held to. */
export function matmulF32(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const c = new Float32Array(m * n);
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let kk = 0; kk < k; kk++) {
      const aik = a[i * k + kk]!;
      if (aik === 0) continue;
      const off = kk * n;
      for (let j = 0; j < n; j++) row[j]! += aik * b[off + j]!;
    }
    c.set(row, i * n);
  }
  return c;
}

export function transpose2d(x: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(x.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = x[i * cols + j]!;
  return t;
}

function broadcast(a: OnnxTensor, b: OnnxTensor, f: (x: number, y: number) => number): OnnxTensor {
  const rank = Math.max(a.dims.length, b.dims.length);
  const pad = (d: readonly number[]) => [...Array<number>(rank - d.length).fill(1), ...d];
  const da = pad(a.dims);
  const db = pad(b.dims);
  const dims = da.map((x, i) => {
    const y = db[i]!;
    if (x !== y && x !== 1 && y !== 1) throw new KevoError('BAD_INPUT', `cannot broadcast [${a.dims.join(', ')}] with [${b.dims.join(', ')}]`);
    return Math.max(x, y);
  });
  const strides = (d: number[]) => {
    const s = new Array<number>(rank).fill(0);
    let acc = 1;
    for (let i = rank - 1; i >= 0; i--) {
      s[i] = d[i] === 1 ? 0 : acc;
      acc *= d[i]!;
    }
    return s;
  };
  const sa = strides(da);
  const sb = strides(db);
  const out = new Float32Array(size(dims));
  const xa = a.data as Float32Array;
  const xb = b.data as Float32Array;
  const index = new Array<number>(rank).fill(0);
  for (let at = 0; at < out.length; at++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < rank; d++) {
      ia += index[d]! * sa[d]!;
      ib += index[d]! * sb[d]!;
    }
    out[at] = f(xa[ia]!, xb[ib]!);
    for (let d = rank - 1; d >= 0 && ++index[d]! === dims[d]; d--) index[d] = 0;
  }
  return { dims, data: out };
}

function matmul(node: OnnxNode, [a, b]: readonly (OnnxTensor | undefined)[]): OnnxTensor[] {
  if (!a || !b || b.dims.length !== 2) throw new KevoError('BAD_INPUT', `node ${quote(node.name)}: MatMul with a B of rank other than 2 is not supported`);
  const k = a.dims[a.dims.length - 1]!;
  const m = size(a.dims) / k;
  const n = b.dims[1]!;
  if (b.dims[0] !== k) throw new KevoError('BAD_INPUT', `node ${quote(node.name)}: MatMul inner dims ${k} and ${b.dims[0]} differ`);
  return [{ dims: [...a.dims.slice(0, -1), n], data: matmulF32(f32(a, node.name), f32(b, node.name), m, k, n) }];
}

function gemm(node: OnnxNode, [a, b, c]: readonly (OnnxTensor | undefined)[]): OnnxTensor[] {
  const transA = attrInt(node, 'transA', 0);
  const transB = attrInt(node, 'transB', 0);
  const alpha = node.attributes.alpha === undefined ? 1 : Number(node.attributes.alpha);
  const beta = node.attributes.beta === undefined ? 1 : Number(node.attributes.beta);
  const [ar, ac] = a!.dims as [number, number];
  const [br, bc] = b!.dims as [number, number];
  const av = transA ? transpose2d(f32(a, node.name), ar, ac) : f32(a, node.name);
  const bv = transB ? transpose2d(f32(b, node.name), br, bc) : f32(b, node.name);
  const [m, k] = transA ? [ac, ar] : [ar, ac];
  const n = transB ? br : bc;
  let y: OnnxTensor = { dims: [m, n], data: matmulF32(av, bv, m, k, n).map((v) => v * alpha) };
  if (c) y = broadcast(y, c, (x, z) => x + beta * z);
  return [y];
}

function conv(node: OnnxNode, [x, w, bias]: readonly (OnnxTensor | undefined)[]): OnnxTensor[] {
  const [n, c, h, wd] = x!.dims as [number, number, number, number];
  const [k, cg, r, s] = w!.dims as [number, number, number, number];
  const group = attrInt(node, 'group', 1);
  const [sh, sw] = attrInts(node, 'strides', [1, 1]) as [number, number];
  const [dh, dw] = attrInts(node, 'dilations', [1, 1]) as [number, number];
  const { top, left, oh, ow } = convGeometry(node, h, wd, r, s);
  const xv = f32(x, node.name);
  const wv = f32(w, node.name);
  const bv = bias ? f32(bias, node.name) : undefined;
  const out = new Float32Array(n * k * oh * ow);
  const kg = k / group;
  // Output-channel-major with the window's bounds hoisted: this runs every node kevo has no kernel for (depthwise today).
  for (let b = 0; b < n; b++)
    for (let o = 0; o < k; o++) {
      const g = Math.floor(o / kg);
      const plane = out.subarray(((b * k + o) * oh) * ow, ((b * k + o + 1) * oh) * ow);
      plane.fill(bv ? bv[o]! : 0);
      for (let ci = 0; ci < cg; ci++) {
        const src = ((b * c + g * cg + ci) * h) * wd;
        for (let i = 0; i < r; i++)
          for (let j = 0; j < s; j++) {
            const wt = wv[((o * cg + ci) * r + i) * s + j]!;
            for (let y = 0; y < oh; y++) {
              const iy = y * sh - top + i * dh;
              if (iy < 0 || iy >= h) continue;
              const row = src + iy * wd;
              const at = y * ow;
              for (let z = 0; z < ow; z++) {
                const ix = z * sw - left + j * dw;
                if (ix >= 0 && ix < wd) plane[at + z]! += wt * xv[row + ix]!;
              }
            }
          }
      }
    }
  return [{ dims: [n, k, oh, ow], data: out }];
}

/** A Conv's padding (explicit pads or auto_pad) and output size, as ONNX defines them. */
export function convGeometry(node: OnnxNode, h: number, w: number, r: number, s: number): { top: number; left: number; bottom: number; right: number; oh: number; ow: number } {
  const [sh, sw] = attrInts(node, 'strides', [1, 1]) as [number, number];
  const [dh, dw] = attrInts(node, 'dilations', [1, 1]) as [number, number];
  const autoPad = attrString(node, 'auto_pad', 'NOTSET');
  const er = (r - 1) * dh + 1;
  const es = (s - 1) * dw + 1;
  let [top, left, bottom, right] = attrInts(node, 'pads', [0, 0, 0, 0]) as [number, number, number, number];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const padH = Math.max(0, (Math.ceil(h / sh) - 1) * sh + er - h);
    const padW = Math.max(0, (Math.ceil(w / sw) - 1) * sw + es - w);
    const lower = autoPad === 'SAME_LOWER';
    top = lower ? Math.ceil(padH / 2) : Math.floor(padH / 2);
    left = lower ? Math.ceil(padW / 2) : Math.floor(padW / 2);
    bottom = padH - top;
    right = padW - left;
  } else if (autoPad === 'VALID') [top, left, bottom, right] = [0, 0, 0, 0];
  const oh = Math.floor((h + top + bottom - er) / sh) + 1;
  const ow = Math.floor((w + left + right - es) / sw) + 1;
  return { top, left, bottom, right, oh, ow };
}

/** com.microsoft MatMulNBits, 4 bits: B [N, K/block, block/2] packed low nibble first, scales [N * K/block], zero points packed (default 8). */
function matmulNBits(node: OnnxNode, [a, b, scales, zeros]: readonly (OnnxTensor | undefined)[]): OnnxTensor[] {
  const k = attrInt(node, 'K', 0);
  const n = attrInt(node, 'N', 0);
  const block = attrInt(node, 'block_size', 0);
  if (attrInt(node, 'bits', 4) !== 4) throw new KevoError('BAD_INPUT', `node ${quote(node.name)}: MatMulNBits with bits other than 4 is not supported`);
  if (zeros && !(zeros.data instanceof Uint8Array)) throw new KevoError('BAD_INPUT', `node ${quote(node.name)}: MatMulNBits zero points other than packed uint8 are not supported`);
  const w = dequantizeNBits(b!.data as Uint8Array, f32(scales, node.name), zeros?.data as Uint8Array | undefined, k, n, block);
  const m = size(a!.dims) / k;
  return [{ dims: [...a!.dims.slice(0, -1), n], data: matmulF32(f32(a, node.name), w, m, k, n) }];
}

/**
 * ONNX MatMulInteger, exact: (A - a_zero_point) x (B - b_zero_point) in i32
 * (wrapping); a zero point is a scalar, per row of A, or per column of B.
 */
function matmulInteger(node: OnnxNode, [a, b, za, zb]: readonly (OnnxTensor | undefined)[]): OnnxTensor[] {
  if (!a || !b || b.dims.length !== 2) throw new KevoError('BAD_INPUT', `node ${quote(node.name)}: MatMulInteger with a B of rank other than 2 is not supported`);
  const k = a.dims[a.dims.length - 1]!;
  const m = size(a.dims) / k;
  const n = b.dims[1]!;
  const av = a.data as Uint8Array | Int8Array;
  const bv = b.data as Uint8Array | Int8Array;
  const zav = za?.data as Uint8Array | Int8Array | undefined;
  const zbv = zb?.data as Uint8Array | Int8Array | undefined;
  const out = new Int32Array(m * n);
  for (let i = 0; i < m; i++) {
    const zai = zav ? zav[zav.length === 1 ? 0 : i]! : 0;
    for (let j = 0; j < n; j++) {
      const zbj = zbv ? zbv[zbv.length === 1 ? 0 : j]! : 0;
      let sum = 0;
      for (let p = 0; p < k; p++) sum = (sum + (av[i * k + p]! - zai) * (bv[p * n + j]! - zbj)) | 0;
      out[i * n + j] = sum;
    }
  }
  return [{ dims: [...a.dims.slice(0, -1), n], data: out }];
}

/** A MatMulNBits weight as f32 B[K, N]. */
export function dequantizeNBits(b: Uint8Array, scales: Float32Array, zeros: Uint8Array | undefined, k: number, n: number, block: number): Float32Array {
  const blocks = Math.ceil(k / block);
  const w = new Float32Array(k * n);
  for (let col = 0; col < n; col++)
    for (let kk = 0; kk < k; kk++) {
      const blk = Math.floor(kk / block);
      const byte = b[(col * blocks + blk) * (block / 2) + Math.floor((kk % block) / 2)]!;
      const q = kk % 2 === 0 ? byte & 15 : byte >> 4;
      const zi = col * blocks + blk;
      const z = zeros ? (zi % 2 === 0 ? zeros[zi >> 1]! & 15 : zeros[zi >> 1]! >> 4) : 8;
      w[kk * n + col] = (q - z) * scales[zi]!;
    }
  return w;
}

function reshape(_: OnnxNode, [x, shape]: readonly (OnnxTensor | undefined)[]): OnnxTensor[] {
  const wanted = [...(shape!.data as BigInt64Array)].map(Number).map((d, i) => (d === 0 ? x!.dims[i]! : d));
  const known = wanted.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  return [{ dims: wanted.map((d) => (d === -1 ? size(x!.dims) / known : d)), data: x!.data }];
}

/** max(x, 0), NaN kept. */
function relu(x: Float32Array): Float32Array {
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    y[i] = v > 0 || v !== v ? v : 0;
  }
  return y;
}

export const OPS: Readonly<Record<string, OpRun>> = {
  MatMul: matmul,
  Gemm: gemm,
  Conv: conv,
  MatMulNBits: matmulNBits,
  MatMulInteger: matmulInteger,
  Add: (_, [a, b]) => [broadcast(a!, b!, (x, y) => x + y)],
  Relu: (_, [x]) => [{ dims: x!.dims, data: relu(x!.data as Float32Array) }],
  Flatten: (node, [x]) => {
    const axis = attrInt(node, 'axis', 1);
    return [{ dims: [size(x!.dims.slice(0, axis)), size(x!.dims.slice(axis))], data: x!.data }];
  },
  Reshape: reshape,
  GlobalAveragePool: (_, [x]) => {
    const [n, c, h, w] = x!.dims as [number, number, number, number];
    const xv = x!.data as Float32Array;
    const out = new Float32Array(n * c);
    for (let i = 0; i < n * c; i++) {
      let sum = 0;
      for (let j = 0; j < h * w; j++) sum += xv[i * h * w + j]!;
      out[i] = sum / (h * w);
    }
    return [{ dims: [n, c, 1, 1], data: out }];
  },
};
