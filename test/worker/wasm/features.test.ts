import { describe, expect, it } from 'vitest';
import { assembleWat } from '../../../worker/wasm/assemble.ts';
import { enableRelaxedSimd, RELAXED_SIMD_PROBE, RELAXED_SIMD_PROBE_WAT } from '../../../worker/wasm/features.ts';

describe('enableRelaxedSimd', () => {
  it('probes with the bytes of its own WAT text', async () => {
    const assembled = await assembleWat(RELAXED_SIMD_PROBE_WAT);
    // assembleWat appends a name section (id 0, "name"): the probe is everything before it
    expect(Array.from(assembled.slice(0, RELAXED_SIMD_PROBE.length))).toEqual(Array.from(RELAXED_SIMD_PROBE));
    expect(Array.from(assembled.slice(RELAXED_SIMD_PROBE.length, RELAXED_SIMD_PROBE.length + 7))).toEqual([0, 10, 4, 110, 97, 109, 101]);
  });

  it('reports exactly whether relaxed SIMD now validates, and stays on', () => {
    const enabled = enableRelaxedSimd();
    expect(WebAssembly.validate(RELAXED_SIMD_PROBE)).toBe(enabled);
    expect(enableRelaxedSimd()).toBe(enabled);
  });

  it('runs relaxed_madd as a multiply-add when enabled', async () => {
    if (!enableRelaxedSimd()) return;
    const wat = `(module (func (export "madd") (param f32 f32 f32) (result f32)
      (f32x4.extract_lane 0 (f32x4.relaxed_madd (f32x4.splat (local.get 0)) (f32x4.splat (local.get 1)) (f32x4.splat (local.get 2))))))`;
    const { instance } = await WebAssembly.instantiate(await assembleWat(wat));
    expect((instance.exports.madd as (a: number, b: number, c: number) => number)(3, 4, 5)).toBe(17);
  });
});
