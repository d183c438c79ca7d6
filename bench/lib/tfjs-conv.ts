import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
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

export function outputSize(l: ConvLayer): { oh: number; ow: number } {
  const out = (x: number, f: number) => (l.pad === 'same' ? Math.ceil(x / l.stride) : Math.floor((x - f) / l.stride) + 1);
  return { oh: out(l.h, l.r), ow: out(l.w, l.s) };
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

/**
 * A tfjs kernel as a contender: the kernel function of the backend that has
 * it, called directly on tensors resident in that backend (no engine
 * dispatch, no backend switch), its output disposed per call. `inputs` in
 * the order of inputShapes (the layer's x / filter / bias / dy as the pass needs).
 */
export async function tfjsConv(layer: ConvLayer, pass: ConvPass, inputs: readonly Float32Array[]): Promise<Contender & { backend: TfjsBackend; output(): Float32Array }> {
  await initXnnpack();
  const { kernel, backend: backendName } = tfjsKernelFor(layer, pass);
  const backend = tf.findBackend(backendName)!;
  const config = tf.getKernel(kernel, backendName);
  if (!config) throw new Error(`tfjs has no ${kernel} kernel on ${backendName}`);
  const names = Object.entries(inputShapes(layer, pass));
  const tensors = Object.fromEntries(
    names.map(([name, shape], i) => [name, { dataId: backend.write(inputs[i]!, shape, 'float32'), shape, dtype: 'float32' as const }]),
  );
  const attrs = attrsFor(layer, pass);
  const call = () => config.kernelFunc({ inputs: tensors, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
  return {
    name: `tfjs ${kernel} (${backendName === 'wasm' ? 'XNNPACK wasm' : 'CPU fallback'})`,
    backend: backendName,
    flops: convFlops(layer),
    async time(times) {
      const start = performance.now();
      for (let t = 0; t < times; t++) backend.disposeData(call().dataId);
      return (performance.now() - start) / times;
    },
    output() {
      const out = call();
      const values = Float32Array.from(backend.readSync(out.dataId) as Float32Array);
      backend.disposeData(out.dataId);
      return values;
    },
  };
}
