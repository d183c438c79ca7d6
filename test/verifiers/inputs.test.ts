import { describe, expect, it } from 'vitest';
import { f32 } from '../../genome/dtypes/index.ts';
import { parseProblem } from '../../genome/ops/index.ts';
import { Rng } from '../../lib/rng.ts';
import { randomInputs, redrawOne } from '../../verifiers/inputs.ts';

describe('redrawOne (the spot check nudge)', () => {
  it.each([
    ['f32', {}],
    ['i8', { dtype: 'i8' }],
    ['w4 with zero points (tensors the scheme draws itself)', { dtype: 'w4', group: 32, zeroPoint: true }],
  ])('%s: changes at most one element (a byte when packed) of each input, to a fresh one', (_, extra) => {
    const problem = parseProblem({ op: 'matmul', shape: { m: 5, n: 9, k: 70 }, ...extra });
    const rng = new Rng(3);
    const inputs = randomInputs(problem, 'normal', rng, f32.limits);
    let changed = 0;
    for (let round = 0; round < 20; round++) {
      const nudged = redrawOne(problem, inputs, 'normal', rng, f32.limits);
      nudged.forEach((tensor, t) => {
        expect(tensor.constructor).toBe(inputs[t]!.constructor);
        const differ = tensor.filter((v, i) => !Object.is(v, inputs[t]![i])).length;
        expect(differ).toBeLessThanOrEqual(1);
        changed += differ;
      });
    }
    // A fresh draw equals the old value now and then (small ints, nibbles), never nearly always.
    expect(changed).toBeGreaterThan(10 * inputs.length);
  });
});
