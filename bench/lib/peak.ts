import { multiplyAdd } from '../../genome/wasm/wat.ts';

/** Independent accumulator chains: enough to cover FMA latency (4) or mul+add latency (6) at two per cycle. */
export const PEAK_CHAINS = 12;

/**
 * A loop of PEAK_CHAINS independent v128 multiply-adds per iteration and
 * nothing else: the most f32 FLOP/s one core can do through 128-bit SIMD,
 * the ceiling every GEMM in the bench is compared against.
 * `spin(iterations)` does iterations * PEAK_CHAINS * 8 FLOP.
 */
export function peakWat(fma: boolean): string {
  const chains = Array.from({ length: PEAK_CHAINS }, (_, i) => i);
  return `(module
  (func (export "spin") (param $iterations i32) (result f32)
    ${chains.map((i) => `(local $acc${i} v128)`).join(' ')}
    (local $x v128) (local $y v128)
    ;; acc = acc * 0.999 + 0.001 converges to 1: no overflow, no denormals
    (local.set $x (f32x4.splat (f32.const 0.999)))
    (local.set $y (f32x4.splat (f32.const 0.001)))
    (loop $spin
      ${chains.map((i) => `(local.set $acc${i} ${multiplyAdd(fma, `(local.get $acc${i})`, '(local.get $x)', '(local.get $y)')})`).join('\n      ')}
      (local.set $iterations (i32.sub (local.get $iterations) (i32.const 1)))
      (br_if $spin (local.get $iterations)))
    ;; return the sum so no chain is dead code
    (f32x4.extract_lane 0 ${chains.slice(1).reduce((sum, i) => `(f32x4.add ${sum} (local.get $acc${i}))`, '(local.get $acc0)')})))`;
}
