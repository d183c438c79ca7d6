import { describe, expect, it } from 'vitest';
import { baselineWat, defaultWasmGenome } from '../../../genome/wasm/baseline.ts';
import { matmulWat } from '../../../genome/wasm/codegen.ts';
import { wasmMatmulSpace } from '../../../genome/wasm/space.ts';
import { errorOf, problemOf } from './kernel-error.ts';

const shapes: [number, number, number][] = [
  [1, 1, 1],
  [1, 3, 1],
  [3, 4, 2],
  [7, 5, 3],
  [17, 33, 9],
  [64, 64, 64],
];

describe('baselineWat', () => {
  it.each(shapes)('matches the reference on %ix%ix%i', async (m, n, k) => {
    const problem = problemOf(m, n, k);
    const wat = baselineWat(problem);
    if (n >= 4) expect(wat).toContain('f32x4.mul');
    const { worst, ...rest } = await errorOf(problem, wat, false);
    expect(rest).toEqual({ unwritten: 0, inputsKept: true });
    expect(worst).toBeLessThanOrEqual(1);
  });
});

describe('defaultWasmGenome', () => {
  it.each(shapes)('is a valid plain-SIMD genome of the space for %ix%ix%i, and correct', async (m, n, k) => {
    const problem = problemOf(m, n, k);
    const genome = defaultWasmGenome(problem);
    expect(genome.fma).toBe(false);
    expect(wasmMatmulSpace(problem, { relaxedSimd: true }).check(genome)).toBeNull();
    expect((await errorOf(problem, matmulWat(genome, problem), false)).worst).toBeLessThanOrEqual(1);
  });
});
