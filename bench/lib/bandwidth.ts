import { assembleWat } from '../../worker/wasm/assemble.ts';
import type { Contender } from './timing.ts';

const CHAINS = 4;

/**
 * The fastest one core reads memory through 128-bit wasm loads: a loop of
 * CHAINS independent v128 loads summed into CHAINS accumulators (i32x4.add,
 * one cycle, never the limit), over a buffer of `bytes`. A GEMV that streams
 * its weights once cannot beat bytes / this rate: the decode-time bound.
 * `flops` is the byte count, so the contender's "GFLOP/s" reads as GB/s.
 */
export async function readBandwidth(bytes: number): Promise<Contender> {
  const step = 16 * CHAINS;
  const length = Math.ceil(bytes / step) * step;
  const pages = Math.ceil(length / 65536) + 1;
  const chains = Array.from({ length: CHAINS }, (_, i) => i);
  const wat = `(module
  (import "env" "memory" (memory ${pages}))
  (func (export "read") (param $end i32) (result i32)
    (local $p i32) ${chains.map((i) => `(local $acc${i} v128)`).join(' ')}
    (loop $read
      ${chains.map((i) => `(local.set $acc${i} (i32x4.add (local.get $acc${i}) (v128.load offset=${16 * i} (local.get $p))))`).join('\n      ')}
      (local.set $p (i32.add (local.get $p) (i32.const ${step})))
      (br_if $read (i32.lt_u (local.get $p) (local.get $end))))
    (i32x4.extract_lane 0 ${chains.slice(1).reduce((sum, i) => `(i32x4.add ${sum} (local.get $acc${i}))`, '(local.get $acc0)')})))`;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  new Uint8Array(memory.buffer, 0, length).fill(1);
  const { instance } = await WebAssembly.instantiate(await assembleWat(wat, 'bandwidth.wat'), { env: { memory } });
  const read = instance.exports.read as (end: number) => number;
  return {
    name: `read bandwidth (${(length / 2 ** 20).toFixed(0)} MiB, v128 loads)`,
    flops: length,
    async time(times) {
      const start = performance.now();
      for (let i = 0; i < times; i++) read(length);
      return (performance.now() - start) / times;
    },
  };
}
