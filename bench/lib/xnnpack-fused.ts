import * as tf from '@tensorflow/tfjs-core';
import { initXnnpack } from './xnnpack.ts';
import type { Contender } from './timing.ts';

/** C = relu(A x B + bias) through tf.fused.matMul on the XNNPACK backend (one thread), tensors resident. */
export async function xnnpackFusedMatmul(m: number, n: number, k: number, a: Float32Array, b: Float32Array, bias: Float32Array): Promise<Contender & { output(): Float32Array }> {
  await initXnnpack();
  const ta = tf.tensor2d(a, [m, k]);
  const tb = tf.tensor2d(b, [k, n]);
  const tbias = tf.tensor1d(bias);
  const run = () => tf.fused.matMul({ a: ta, b: tb, bias: tbias, activation: 'relu' });
  return {
    name: 'XNNPACK fused matMul + bias + relu',
    flops: 2 * m * n * k,
    async time(times) {
      const start = performance.now();
      for (let t = 0; t < times; t++) run().dispose();
      return (performance.now() - start) / times;
    },
    output() {
      const c = run();
      const data = Float32Array.from(c.dataSync() as Float32Array);
      c.dispose();
      return data;
    },
  };
}
