import { describe, expect, it } from 'vitest';
import { peakWat } from '../../../bench/lib/peak.ts';
import { assembleWat } from '../../../worker/wasm/assemble.ts';
import { enableRelaxedSimd } from '../../../worker/wasm/features.ts';

describe('peakWat', () => {
  it.each([false, true])('runs its multiply-add chains to the fixed point 1 (fma %s)', async (fma) => {
    if (fma && !enableRelaxedSimd()) return;
    const { instance } = await WebAssembly.instantiate(await assembleWat(peakWat(fma)));
    const spin = instance.exports.spin as (iterations: number) => number;
    // twelve chains, each converging to 0.001 / (1 - 0.999) = 1
    expect(spin(20_000)).toBeCloseTo(12, 3);
  });
});
