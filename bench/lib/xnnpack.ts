import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { Contender } from './timing.ts';

let ready: Promise<void> | undefined;

/**
 * tfjs-backend-wasm (XNNPACK inside) on one thread with SIMD, loading its
 * .wasm files from node_modules. Called once per process: the backend is global.
 */
export function initXnnpack(): Promise<void> {
  ready ??= (async () => {
    const require = createRequire(import.meta.url);
    setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
    // The plain SIMD build: the threaded one spawns pthread workers, and one thread is the point.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setThreadsCount(1);
    await tf.setBackend('wasm');
    await tf.ready();
  })();
  return ready;
}

/** C = A x B through tf.matMul on the XNNPACK backend, A and B already resident as tensors. */
export async function xnnpackMatmul(m: number, n: number, k: number, a: Float32Array, b: Float32Array): Promise<Contender & { output(): Float32Array }> {
  await initXnnpack();
  const ta = tf.tensor2d(a, [m, k]);
  const tb = tf.tensor2d(b, [k, n]);
  return {
    name: 'XNNPACK (tfjs-backend-wasm)',
    flops: 2 * m * n * k,
    async time(times) {
      const start = performance.now();
      for (let t = 0; t < times; t++) tf.matMul(ta, tb).dispose();
      return (performance.now() - start) / times;
    },
    output() {
      const c = tf.matMul(ta, tb);
      const data = c.dataSync() as Float32Array;
      c.dispose();
      return Float32Array.from(data);
    },
  };
}
