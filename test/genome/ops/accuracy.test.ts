import { describe, expect, it } from 'vitest';
import { accuracyOf, meetsAccuracy, precisionsMeeting } from '../../../genome/ops/accuracy.ts';
import { parseProblem } from '../../../genome/ops/index.ts';

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
