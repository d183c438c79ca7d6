import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { axis } from '../../genome/ops/conv/geometry.ts';
import { initXnnpack } from './xnnpack.ts';
import type { Contender } from './timing.ts';

/** One convolution layer as tfjs names it: NHWC activations, HWIO weights ([R,S,C,1] for depthwise). */
export interface ConvLayer {
  readonly depthwise: boolean;
  readonly n: number;
  readonly h: number;
  readonly w: number;
  readonly c: number;
  /** Output channels; equal to c for a depthwise layer (channel multiplier 1). */
  readonly k: number;
  readonly r: number;
  readonly s: number;
  readonly stride: 1 | 2;
  readonly pad: 'same' | 'valid';
}

export type ConvPass = 'forward' | 'forward-fused' | 'bwd-data' | 'bwd-weights';

/** What a tfjs contender ran on: XNNPACK's wasm backend, or tfjs's JavaScript CPU kernels where the wasm backend has none. */
export type TfjsBackend = 'wasm' | 'cpu';

/** The output's spatial size, by kevo's own padding rule (TF's, which tfjs follows). */
export function outputSize(l: ConvLayer): { oh: number; ow: number } {
  return { oh: axis(l.h, l.r, l.stride, l.pad).out, ow: axis(l.w, l.s, l.stride, l.pad).out };
}

export function convFlops(l: ConvLayer): number {
  const { oh, ow } = outputSize(l);
  return 2 * l.n * oh * ow * l.r * l.s * (l.depthwise ? l.c : l.c * l.k);
}

export const shapes = (l: ConvLayer) => {
  const { oh, ow } = outputSize(l);
  return {
    x: [l.n, l.h, l.w, l.c] as [number, number, number, number],
    w: (l.depthwise ? [l.r, l.s, l.c, 1] : [l.r, l.s, l.c, l.k]) as [number, number, number, number],
    y: [l.n, oh, ow, l.k] as [number, number, number, number],
  };
};

/**
 * The tfjs kernel a pass maps to, and the backend that has it. tfjs-backend-wasm
 * (4.22) registers Conv2D, FusedConv2D, DepthwiseConv2dNative and
 * Conv2DBackpropInput; the weight gradients and both depthwise gradients exist
 * only as tfjs's JavaScript CPU kernels, which a wasm-backed model falls back to.
 */
export function tfjsKernelFor(layer: ConvLayer, pass: ConvPass): { kernel: string; backend: TfjsBackend } {
  if (!layer.depthwise) {
    if (pass === 'forward') return { kernel: 'Conv2D', backend: 'wasm' };
    if (pass === 'forward-fused') return { kernel: 'FusedConv2D', backend: 'wasm' };
    if (pass === 'bwd-data') return { kernel: 'Conv2DBackpropInput', backend: 'wasm' };
    return { kernel: 'Conv2DBackpropFilter', backend: 'cpu' };
  }
  if (pass === 'forward') return { kernel: 'DepthwiseConv2dNative', backend: 'wasm' };
  if (pass === 'forward-fused') return { kernel: 'FusedDepthwiseConv2D', backend: 'wasm' };
  if (pass === 'bwd-data') return { kernel: 'DepthwiseConv2dNativeBackpropInput', backend: 'cpu' };
  return { kernel: 'DepthwiseConv2dNativeBackpropFilter', backend: 'cpu' };
}

/** The pass's inputs in tfjs's order, as named tensors of `shapes(layer)`. */
function inputShapes(layer: ConvLayer, pass: ConvPass): Record<string, number[]> {
  const s = shapes(layer);
  if (pass === 'bwd-data') return { dy: s.y, filter: s.w };
  if (pass === 'bwd-weights') return { x: s.x, dy: s.y };
  return pass === 'forward-fused' ? { x: s.x, filter: s.w, bias: [layer.k] } : { x: s.x, filter: s.w };
}

function attrsFor(layer: ConvLayer, pass: ConvPass): Record<string, unknown> {
  const s = shapes(layer);
  const common = { strides: [layer.stride, layer.stride], pad: layer.pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined };
  if (pass === 'bwd-data') return { ...common, inputShape: s.x };
  if (pass === 'bwd-weights') return { ...common, filterShape: s.w };
  return pass === 'forward-fused' ? { ...common, activation: 'relu' } : common;
}

/** A tensor resident in one tfjs backend's memory. */
export interface Resident {
  readonly backend: TfjsBackend;
  readonly info: tf.TensorInfo;
}

/**
 * A layer's pass as tfjs runs it: the kernel function of the backend that has
 * it, called directly (no engine dispatch), on inputs resident in that
 * backend; an input resident elsewhere is read out and written in first,
 * which is what a fallback costs a wasm-backed model.
 */
export async function tfjsPass(layer: ConvLayer, pass: ConvPass): Promise<{ backend: TfjsBackend; kernel: string; run(inputs: readonly Resident[]): Resident }> {
  await initXnnpack();
  const { kernel, backend: backendName } = tfjsKernelFor(layer, pass);
  const backend = tf.findBackend(backendName)!;
  const config = tf.getKernel(kernel, backendName);
  if (!config) throw new Error(`tfjs has no ${kernel} kernel on ${backendName}`);
  const names = Object.keys(inputShapes(layer, pass));
  const attrs = attrsFor(layer, pass) as tf.NamedAttrMap;
  return {
    backend: backendName,
    kernel,
    run(inputs) {
      const local = inputs.map((t) => (t.backend === backendName ? t : moveTo(backendName, t)));
      const info = config.kernelFunc({ inputs: Object.fromEntries(names.map((name, i) => [name, local[i]!.info])), backend, attrs }) as tf.TensorInfo;
      local.forEach((t, i) => t !== inputs[i] && release(t));
      return { backend: backendName, info };
    },
  };
}

export function resident(backendName: TfjsBackend, values: Float32Array, shape: readonly number[]): Resident {
  const backend = tf.findBackend(backendName)!;
  return { backend: backendName, info: { dataId: backend.write(values, [...shape], 'float32'), shape: [...shape], dtype: 'float32' } };
}

export function readResident(t: Resident): Float32Array {
  return Float32Array.from(tf.findBackend(t.backend)!.readSync(t.info.dataId) as Float32Array);
}

export function release(t: Resident): void {
  tf.findBackend(t.backend)!.disposeData(t.info.dataId);
}

function moveTo(backendName: TfjsBackend, t: Resident): Resident {
  return resident(backendName, tf.findBackend(t.backend)!.readSync(t.info.dataId) as Float32Array, t.info.shape);
}

/** A pass as a contender on fixed inputs (in inputShapes order), resident in its backend; its output released per call. */
export async function tfjsConv(layer: ConvLayer, pass: ConvPass, inputs: readonly Float32Array[]): Promise<Contender & { backend: TfjsBackend; output(): Float32Array }> {
  const run = await tfjsPass(layer, pass);
  const tensors = Object.values(inputShapes(layer, pass)).map((shape, i) => resident(run.backend, inputs[i] as Float32Array, shape));
  return {
    name: `tfjs ${run.kernel} (${run.backend === 'wasm' ? 'XNNPACK wasm' : 'CPU fallback'})`,
    backend: run.backend,
    flops: convFlops(layer),
    async time(times) {
      const start = performance.now();
      for (let t = 0; t < times; t++) release(run.run(tensors));
      return (performance.now() - start) / times;
    },
    output() {
      const out = run.run(tensors);
      const values = readResident(out);
      release(out);
      return values;
    },
  };
}
