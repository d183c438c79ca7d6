import { describe, expect, it } from 'vitest';
import { parseProblem } from '../../genome/ops/index.ts';
import { Rng } from '../../lib/rng.ts';
import { checkOutput, checkInputsUnchanged } from '../../verifiers/compare.ts';
import { expectedOutput } from '../../verifiers/expected.ts';
import { distributions, formats, randomInputs, redraw } from '../../verifiers/inputs.ts';

const u8i8 = parseProblem({ op: 'matmul', shape: { m: 3, n: 5, k: 70 }, dtype: 'u8i8' });
const C = { name: 'C', dims: [3, 5], dtype: 'i32' as const };

describe('typed tensors in the harness', () => {
  it('draws every input in its own dtype, over the whole range for wide draws', () => {
    for (const distribution of distributions) {
      const inputs = randomInputs(u8i8, distribution, new Rng(1), formats.f32);
      expect(inputs.map((t) => t.constructor.name)).toEqual(['Uint8Array', 'Uint8Array', 'Int8Array', 'Int8Array']);
      expect(inputs.map((t) => t.length)).toEqual([210, 1, 350, 1]);
    }
    const wide = randomInputs(u8i8, 'wide', new Rng(2), formats.f32);
    expect(Math.min(...wide[2]!)).toBe(-128);
    expect(Math.max(...wide[2]!)).toBe(127);
    expect(Math.max(...wide[0]!)).toBe(255);
  });

  it('holds an int output to exact equality, even one off where a float tolerance would pass', () => {
    const inputs = randomInputs(u8i8, 'normal', new Rng(3), formats.f32);
    const expected = expectedOutput(u8i8, inputs, new Rng(4));
    const got = Int32Array.from(expected.want);
    expect(checkOutput(got, expected, { abs: 10, rel: 1 }, C)).toBeNull();
    got[7]! += 1;
    expect(checkOutput(got, expected, { abs: 10, rel: 1 }, C)).toMatch(/^C\[1,2\] = -?\d+ but expected -?\d+ exactly \(i32 is exact\); 1 of 15 elements off$/);
  });

  it('sees an input changed bit for bit, in its dtype, and redraws only values the dtype holds', () => {
    const inputs = randomInputs(u8i8, 'normal', new Rng(5), formats.f32);
    const changed = inputs.map((t) => t.slice());
    changed[2]![4] = changed[2]![4]! === 1 ? 2 : 1;
    expect(checkInputsUnchanged(inputs, changed, [
      { name: 'A', dims: [3, 70], dtype: 'u8' },
      { name: 'a_zero_point', dims: [1], dtype: 'u8' },
      { name: 'B', dims: [70, 5], dtype: 'i8' },
      { name: 'b_zero_point', dims: [1], dtype: 'i8' },
    ])).toMatch(/^the kernel wrote into input B: B\[0,4\] was -?\d+, now [12] \(1 of 350 elements changed\)$/);
    const redrawn = redraw(u8i8, inputs, 0.5, 'normal', new Rng(6), formats.f32);
    expect(redrawn.map((t) => t.constructor.name)).toEqual(inputs.map((t) => t.constructor.name));
    expect(redrawn[0]!.filter((v, i) => v !== inputs[0]![i]).length).toBeGreaterThan(50);
  });
});
