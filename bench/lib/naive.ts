import type { Contender } from './timing.ts';

/**
 * The textbook triple loop in plain JS (i-j-k, one dot product per element):
 * where everyone starts. It is slow enough that at large sizes it computes
 * only the first `rows` rows of C (its FLOP count says so), keeping the bench short.
 */
export function naiveJs(m: number, n: number, k: number, a: Float32Array, b: Float32Array, rows = m): Contender {
  const c = new Float32Array(m * n);
  const run = () => {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) sum += a[i * k + p]! * b[p * n + j]!;
        c[i * n + j] = sum;
      }
    }
  };
  return {
    name: 'naive JS',
    flops: 2 * rows * n * k,
    async time(times) {
      const start = performance.now();
      for (let t = 0; t < times; t++) run();
      return (performance.now() - start) / times;
    },
  };
}
