import { assembleWat } from '../../worker/wasm/assemble.ts';
import { PEAK_CHAINS, peakWat } from './peak.ts';
import type { Contender } from './timing.ts';

const ITERATIONS = 200_000;

/** The 128-bit SIMD ceiling of one core, as a contender: mul+add, or relaxed_madd when `fma`. */
export async function peakContender(fma: boolean): Promise<Contender> {
  const { instance } = await WebAssembly.instantiate(await assembleWat(peakWat(fma)));
  const spin = instance.exports.spin as (iterations: number) => number;
  return {
    name: fma ? 'ceiling: relaxed_madd' : 'ceiling: mul+add',
    flops: ITERATIONS * PEAK_CHAINS * 8,
    async time(times) {
      const start = performance.now();
      for (let t = 0; t < times; t++) spin(ITERATIONS);
      return (performance.now() - start) / times;
    },
  };
}
