import { dtypeOf, type Storage } from '../genome/dtypes/dtype.ts';
import { launchTensors, type KernelCode, type WasmLaunch } from '../genome/families/launch.ts';
import { KevoError } from '../lib/errors.ts';
import { quote } from '../lib/quote.ts';
import { instantiateLaunch } from '../worker/wasm/kernel.ts';
import type { KernelPlan, NodeMapping } from './map.ts';
import { OPS } from './ops.ts';
import type { OnnxModel, OnnxNode, OnnxTensor } from './read.ts';

export type Values = Map<string, OnnxTensor>;

/** One step of a compiled model: a node in plain JS, or a fused group as one kevo kernel. */
type Step = { readonly run: (values: Values) => void };

function jsStep(node: OnnxNode): Step {
  const op = OPS[node.op];
  if (!op) throw new KevoError('BAD_INPUT', `node ${quote(node.name)}: op ${quote(node.op)} cannot run in kevo's executor`);
  return {
    run(values) {
      const outputs = op(node, node.inputs.map((name) => (name ? values.get(name) : undefined)));
      node.outputs.forEach((name, i) => values.set(name, outputs[i]!));
    },
  };
}

/** NCHW -> NHWC into `out`. */
function toNhwc(x: Float32Array, [n, c, h, w]: readonly number[], out: Float32Array): void {
  const hw = h! * w!;
  for (let b = 0; b < n!; b++) for (let ch = 0; ch < c!; ch++) for (let p = 0; p < hw; p++) out[(b * hw + p) * c! + ch] = x[(b * c! + ch) * hw + p]!;
}

function toNchw(x: Float32Array, [n, c, h, w]: readonly number[]): Float32Array {
  const out = new Float32Array(x.length);
  const hw = h! * w!;
  for (let b = 0; b < n!; b++) for (let p = 0; p < hw; p++) for (let ch = 0; ch < c!; ch++) out[(b * c! + ch) * hw + p] = x[(b * hw + p) * c! + ch]!;
  return out;
}

/** im2col rows from an NCHW input: row (b, oy, ox), column (i, j, ci), matching HWIO weights. */
function im2col(x: Float32Array, plan: KernelPlan, out: Float32Array): void {
  const { n, c, h, w, r, s, stride, top, left, oh, ow } = plan.conv!;
  const cols = r * s * c;
  let row = 0;
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++, row++) {
        const base = row * cols;
        for (let i = 0; i < r; i++) {
          const iy = oy * stride - top + i;
          for (let j = 0; j < s; j++) {
            const ix = ox * stride - left + j;
            const inside = iy >= 0 && iy < h && ix >= 0 && ix < w;
            const at = base + (i * s + j) * c;
            for (let ci = 0; ci < c; ci++) out[at + ci] = inside ? x[((b * c + ci) * h + iy) * w + ix]! : 0;
          }
        }
      }
}

/** A tensor into the kernel's memory bit for bit: the mapper chose the kernel whose ABI types are the node's. */
function copyInto(target: Storage, data: OnnxTensor['data'], at: number, launch: WasmLaunch): void {
  if (target.constructor !== data.constructor || target.length !== data.length) {
    const t = launch.tensors[at]!;
    throw new KevoError('FAILURE', `kernel tensor ${t.name} (${t.dtype}) is a ${target.constructor.name} of ${target.length}, the model gives a ${data.constructor.name} of ${data.length}`);
  }
  (target as Uint8Array).set(data as Uint8Array);
}

async function kernelStep(plan: KernelPlan, code: KernelCode): Promise<Step> {
  if (code.launch.backend !== 'wasm') throw new KevoError('BAD_INPUT', 'the graph executor runs WASM kernels only');
  const launch = code.launch;
  const { memory, call, prepare } = await instantiateLaunch(code.text, launch);
  // Each tensor seen through its dtype's storage: f32, u8/i8, packed u4 bytes, i32.
  const view = (i: number) => dtypeOf(launch.tensors[i]!.dtype).view(memory.buffer, launch.tensors[i]!.offset, launch.tensors[i]!.length);
  // Weights go in once: a model's constants do not move between runs.
  plan.operands.forEach((operand, i) => {
    if (operand.kind === 'const') copyInto(view(i), operand.data, i, launch);
  });
  const feeds = plan.operands.flatMap((operand, i) => (operand.kind === 'tensor' ? [{ operand, target: view(i), i }] : []));
  // A kernel that packs its weights at load time packs the constants once; a weight the graph computes, on every run.
  const prepareEachRun = prepare !== undefined && feeds.some((f) => launch.prepare!.weights.includes(f.i));
  if (prepare && !prepareEachRun) prepare();
  // A node has one output: the kernel's first (the mapper maps no problem with several).
  const out = view(launchTensors(launch).inputs.length);
  return {
    run(values) {
      for (const { operand, target, i } of feeds) {
        const t = values.get(operand.name)!;
        if (operand.layout === 'flat') copyInto(target, t.data, i, launch);
        else if (operand.layout === 'nhwc') toNhwc(t.data as Float32Array, t.dims, target as Float32Array);
        else im2col(t.data as Float32Array, plan, target as Float32Array);
      }
      if (prepareEachRun) prepare!();
      call();
      const [n, k, oh, ow] = plan.outputDims;
      const data = plan.outputLayout === 'nhwc' ? toNchw(out as Float32Array, [n!, k!, oh!, ow!]) : (out.slice() as OnnxTensor['data']);
      values.set(plan.output, { dims: plan.outputDims, data });
    },
  };
}

/**
 * A model compiled for repeated runs: the mapped groups that have a kernel
 * run it (its weights written into its memory once), every other node runs
 * its JS op. A group runs where its last node stood, so a residual computed
 * between the product and the Add is ready.
 */
export interface CompiledModel {
  run(inputs: Readonly<Record<string, OnnxTensor>>): Values;
}

export async function compileModel(model: OnnxModel, groups: readonly { mapping: NodeMapping; code: KernelCode }[] = []): Promise<CompiledModel> {
  const byLast = new Map<string, Step>();
  const grouped = new Set<string>();
  for (const { mapping, code } of groups) {
    byLast.set(mapping.nodes[mapping.nodes.length - 1]!, await kernelStep(mapping.plan!, code));
    mapping.nodes.forEach((n) => grouped.add(n));
  }
  const steps = model.nodes.flatMap((node) => (byLast.has(node.name) ? [byLast.get(node.name)!] : grouped.has(node.name) ? [] : [jsStep(node)]));
  return {
    run(inputs) {
      const values: Values = new Map([...model.initializers, ...Object.entries(inputs)]);
      for (const step of steps) step.run(values);
      return values;
    },
  };
}

/** Every tensor's dims after one reference run: what the mapper reads; nodes that cannot run leave their outputs unknown. */
export function inferShapes(model: OnnxModel, inputs: Readonly<Record<string, OnnxTensor>>): Map<string, readonly number[]> {
  const values: Values = new Map([...model.initializers, ...Object.entries(inputs)]);
  for (const node of model.nodes) {
    if (!OPS[node.op] || node.inputs.some((i) => i && !values.has(i))) continue;
    jsStep(node).run(values);
  }
  return new Map([...values].map(([name, t]) => [name, t.dims]));
}
