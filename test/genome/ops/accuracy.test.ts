import { describe, expect, it } from 'vitest';
import { Accuracy, AccuracyText, accuracyOf, meetsAccuracy, precisionsMeeting } from '../../../genome/ops/accuracy.ts';
import { parseProblem, problemKey } from '../../../genome/ops/index.ts';

describe('accuracy contract', () => {
  it('is f32 unless the problem says otherwise, and an f16 kernel never meets it', () => {
    const problem = parseProblem({ op: 'matmul', shape: { m: 2, n: 2, k: 2 } });
    expect(accuracyOf(problem)).toBe('f32');
    expect(meetsAccuracy('f16', 'f32')).toBe(false);
    expect(precisionsMeeting('f32')).toEqual(['f32', 'f32-fma']);
  });

  it('lets a problem that asks for f16 or bf16 take every precision', () => {
    expect(precisionsMeeting('f16')).toEqual(['f32', 'f32-fma', 'f16']);
    expect(precisionsMeeting('bf16')).toEqual(['f32', 'f32-fma', 'f16']);
  });

  it('holds Winograd (a normwise bound only) to f32-norm alone, which every f32 precision also meets', () => {
    expect(precisionsMeeting('f32-norm')).toEqual(['f32', 'f32-fma', 'f32-winograd']);
    for (const accuracy of ['f32', 'f16', 'bf16'] as const) expect(meetsAccuracy('f32-winograd', accuracy)).toBe(false);
  });

  it('is part of the problem schema, named by its zod path when wrong', () => {
    expect(parseProblem({ op: 'matmul', shape: { m: 2, n: 2, k: 2 }, accuracy: 'f16' }).accuracy).toBe('f16');
    expect(() => parseProblem({ op: 'matmul', shape: { m: 2, n: 2, k: 2 }, accuracy: 'f8' })).toThrow(/accuracy/);
    expect(() => parseProblem({ op: 'conv', shape: {} })).toThrow(/op: unknown op "conv"/);
  });
});

describe('a numeric accuracy', () => {
  it('is met by any precision that passed the harness (it measured the error), and quantized precisions meet no class', () => {
    expect(precisionsMeeting(0.01)).toEqual(['f32', 'f32-fma', 'f16', 'f32-winograd', 'i8', 'w4']);
    expect(meetsAccuracy('i8', 'bf16')).toBe(false);
    expect(meetsAccuracy('w4', 'bf16')).toBe(false);
  });

  it('reads --accuracy text: a class by name, anything else as a number in (0, 1]', () => {
    expect(AccuracyText.parse('f16')).toBe('f16');
    expect(AccuracyText.parse('1e-2')).toBe(0.01);
    for (const bad of ['0', '-1e-2', 'NaN', 'abc', '', '2', 'Infinity', 'f64']) expect(AccuracyText.safeParse(bad).success, bad).toBe(false);
    expect(Accuracy.safeParse(0).success).toBe(false);
  });

  it('is refused at zod path accuracy on a non-f32 dtype or with an epilogue', () => {
    for (const fields of [{ dtype: 'i8' }, { epilogue: ['relu'] }]) {
      const parsed = parseProblem.bind(null, { op: 'matmul', shape: { m: 4, n: 4, k: 4 }, accuracy: 0.01, ...fields });
      expect(parsed).toThrow(/accuracy/);
    }
  });

  it('makes a problem of its own in the store; a class does not (old keys stay)', () => {
    const shape = { m: 4, n: 4, k: 4 };
    expect(problemKey(parseProblem({ op: 'matmul', shape, accuracy: 0.01 }))).toBe('matmul:4x4x4:f32:err0.01');
    expect(problemKey(parseProblem({ op: 'matmul', shape, accuracy: 'f16' }))).toBe('matmul:4x4x4:f32');
  });
});
