import { describe, expect, it } from 'vitest';
import { matmul } from '../../genome/ops/matmul.ts';
import type { MatmulProblem } from '../../genome/ops/matmul-problem.ts';
import { Rng } from '../../lib/rng.ts';
import { checkOutput } from '../../verifiers/compare.ts';
import { expectedOutput, sampleIndices } from '../../verifiers/expected.ts';
import { formats, randomInputs } from '../../verifiers/inputs.ts';

const big: MatmulProblem = { op: 'matmul', shape: { m: 250, n: 100, k: 800 }, dtype: 'f32' };

describe('expectedOutput', () => {
  it('computes the full reference for small problems and a sample for big ones', () => {
    const small: MatmulProblem = { ...big, shape: { m: 8, n: 8, k: 8 } };
    expect(expectedOutput(small, randomInputs(small, 'normal', new Rng(1), formats.f32), new Rng(2)).indices).toBeNull();
    const inputs = randomInputs(big, 'normal', new Rng(1), formats.f32);
    const sampled = expectedOutput(big, inputs, new Rng(2));
    expect(sampled.indices!.length).toBeLessThan(250 * 100);
    const full = matmul.reference(big, inputs);
    const magnitude = matmul.magnitude(big, inputs);
    const worst = Math.max(
      ...Array.from(sampled.indices!, (at, e) => Math.abs(sampled.want[e]! - full[at]!) + Math.abs(sampled.magnitude[e]! - magnitude[at]!)),
    );
    expect(worst).toBeLessThan(1e-9);
  });

  it('samples every row end and column end, so a wrong remainder tile is seen', () => {
    const indices = sampleIndices([30, 20], 100, new Rng(3));
    for (let i = 0; i < 30; i++) expect(indices).toContain(i * 20 + 19);
    for (let j = 0; j < 20; j++) expect(indices).toContain(29 * 20 + j);
    expect([...indices]).toEqual([...new Set(indices)].sort((a, b) => a - b));
  });

  it('finds a wrong last column in a big problem through the sample', () => {
    const inputs = randomInputs(big, 'normal', new Rng(4), formats.f32);
    const got = Float32Array.from(matmul.reference(big, inputs));
    for (let i = 0; i < 250; i++) got[i * 100 + 99] = 0;
    const complaint = checkOutput(got, expectedOutput(big, inputs, new Rng(5)), matmul.tolerance(big, 'f32'), matmul.output(big));
    expect(complaint).toMatch(/^C\[0,99\] = 0 but expected .*; 2[45]\d of \d+ checked elements off$/);
  });
});
