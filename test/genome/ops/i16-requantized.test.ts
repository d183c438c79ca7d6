import { describe, expect, it } from 'vitest';
import { abiTensors, wasmLaunch } from '../../../genome/families/abi.ts';
import { launchTensors, WasmLaunch } from '../../../genome/families/launch.ts';
import { opFor, outputsOf, parseProblem, problemKey, referencesOf } from '../../../genome/ops/index.ts';
import { requantize, requantizeShift, roundShift } from '../../../genome/ops/matmul/schemes/i16-requantized.ts';

describe('i16 requantized to i16 (the INT16 paper\'s down-conversion)', () => {
  it('rounds half up, exactly, at the ends of i32', () => {
    expect([roundShift(5, 1), roundShift(-5, 1), roundShift(7, 1), roundShift(-7, 1), roundShift(6, 2)]).toEqual([3, -2, 4, -3, 2]);
    expect(roundShift(2 ** 31 - 1, 17)).toBe(16384);
    expect(roundShift(-(2 ** 31), 16)).toBe(-32768);
  });

  it('takes the smallest shift whose rounded extremes fit i16, rounding included', () => {
    expect(requantizeShift(-32768, 32767)).toBe(0);
    expect(requantizeShift(0, 65534)).toBe(1);
    // 65535 / 2 rounds half up to 32768: one more bit.
    expect(requantizeShift(0, 65535)).toBe(2);
    expect(requantizeShift(-65536, 0)).toBe(1);
    // Half up: -32768.5 rounds to -32768, which fits; -32769 does not.
    expect(requantizeShift(-65537, 0)).toBe(1);
    expect(requantizeShift(-65538, 0)).toBe(2);
    expect(requantizeShift(-(2 ** 31), 2 ** 31 - 1)).toBe(17);
    expect(requantize(Float64Array.of(65535, -3, 1))).toEqual({ c: Float64Array.of(16384, -1, 0), shift: 2 });
  });

  it('gives the op two outputs in ABI order, C i16 and c_shift i8, with a key of their own', () => {
    const problem = parseProblem({ op: 'matmul', shape: { m: 2, n: 3, k: 4 }, dtype: 'i16', output: 'i16' });
    const op = opFor(problem);
    expect(outputsOf(op, problem).map((t) => `${t.name}:${t.dtype}:${t.dims.join('x')}`)).toEqual(['C:i16:2x3', 'c_shift:i8:1']);
    expect(problemKey(problem)).toBe('matmul:2x3x4:i16:out16');
    const A = Int16Array.from({ length: 8 }, () => 32767);
    const B = Int16Array.from({ length: 12 }, () => 32767);
    // Each C32 element is 4 * 32767^2 = 4294705156, which wraps to -262140: shift 3 takes it to -32767.5, rounded up to -32767.
    expect(referencesOf(op, problem, [A, B]).map((r) => [...r])).toEqual([Array(6).fill(-32767), [3]]);
  });

  it('computes the whole i32 C row by row with the same wrapped bits as element by element (referenceAt)', () => {
    const problem = parseProblem({ op: 'matmul', shape: { m: 3, n: 5, k: 7 }, dtype: 'u8i8' });
    const op = opFor(problem);
    const inputs = [Uint8Array.from({ length: 21 }, (_, i) => (i * 97) % 256), Uint8Array.of(131), Int8Array.from({ length: 35 }, (_, i) => ((i * 53) % 256) - 128), Int8Array.of(-7)];
    expect([...op.reference(problem, inputs)]).toEqual([...op.referenceAt!(problem, inputs, Int32Array.from({ length: 15 }, (_, i) => i)).want]);
    const i16 = parseProblem({ op: 'matmul', shape: { m: 2, n: 3, k: 9 }, dtype: 'i16' });
    const extremes = [Int16Array.from({ length: 18 }, (_, i) => (i % 2 ? -32768 : 32767)), Int16Array.from({ length: 27 }, () => -32768)];
    // Sums of nine products near 2^30 wrap: both ways must wrap alike.
    expect([...opFor(i16).reference(i16, extremes)]).toEqual([...opFor(i16).referenceAt!(i16, extremes, Int32Array.from({ length: 6 }, (_, i) => i)).want]);
  });

  it('launches say how many tensors are outputs only when there are several, so stored single-output launches read as before', () => {
    const two = wasmLaunch(parseProblem({ op: 'matmul', shape: { m: 2, n: 3, k: 4 }, dtype: 'i16', output: 'i16' }));
    expect(two.outputs).toBe(2);
    expect(launchTensors(WasmLaunch.parse(two)).outputs.map((t) => t.name)).toEqual(['C', 'c_shift']);
    const one = wasmLaunch(parseProblem({ op: 'matmul', shape: { m: 2, n: 3, k: 4 }, dtype: 'i16' }));
    expect('outputs' in one).toBe(false);
    expect(launchTensors(one).outputs.map((t) => t.name)).toEqual(['C']);
    expect(abiTensors(parseProblem({ op: 'matmul', shape: { m: 2, n: 3, k: 4 } })).map((t) => t.name)).toEqual(['A', 'B', 'C']);
  });
});
