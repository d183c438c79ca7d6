import { afterAll, describe, expect, it } from 'vitest';
import { defaultWasmGenome } from '../../genome/wasm/baseline.ts';
import { WasmPool } from '../../worker/pool.ts';
import { problem, sourceJob } from './jobs.ts';

// Its own file: V8's relaxed-SIMD flag is process-wide once a thread sets it.
describe('WasmPool with relaxed SIMD', () => {
  const pool = new WasmPool({ threads: 1, relaxedSimd: true });
  afterAll(() => pool.close());

  it('turns it on in its threads, says so in its device class, and runs fma genomes', async () => {
    expect((await pool.deviceClass()).facts).toMatchObject({ relaxedSimd: true });
    const genome = { ...defaultWasmGenome(problem), fma: true };
    const result = await pool.evaluate({ ...sourceJob('unused'), genome });
    expect(result.status).toBe('ok');
    expect(result.kernel?.text).toContain('f32x4.relaxed_madd');
  });
});
