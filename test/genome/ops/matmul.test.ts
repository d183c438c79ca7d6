import { describe, expect, it } from 'vitest';
import { matmul } from '../../../genome/ops/matmul.ts';
import { opByName, problemKey } from '../../../genome/ops/index.ts';
import { Problem } from '../../../genome/ops/problem.ts';
import { type MatmulProblem } from '../../../genome/ops/matmul-problem.ts';
import { KevoError } from '../../../lib/errors.ts';

const p = (m: number, n: number, k: number): MatmulProblem => ({ op: 'matmul', shape: { m, n, k }, dtype: 'f32' });

describe('matmul op', () => {
  it('parses MxNxK shapes and rejects anything else with BAD_INPUT naming the text', () => {
    expect(matmul.parseShape('512x256X3')).toEqual({ m: 512, n: 256, k: 3 });
    for (const bad of ['0x4x4', '-1x4x4', '4x4', 'axbxc', '4x4x4x4', '1.5x2x2', '']) {
      const error = (() => {
        try {
          matmul.parseShape(bad);
        } catch (e) {
          return e;
        }
      })();
      expect(error, bad).toBeInstanceOf(KevoError);
      expect((error as KevoError).code).toBe('BAD_INPUT');
      expect((error as KevoError).message).toContain(`"${bad}"`);
    }
  });

  it('computes the reference in f64 and counts 2*M*N*K FLOPs', () => {
    const problem = p(2, 2, 3);
    const a = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const b = Float32Array.from([7, 8, 9, 10, 11, 12]);
    expect(Array.from(matmul.reference(problem, [a, b]))).toEqual([58, 64, 139, 154]);
    expect(matmul.flops(p(512, 512, 512))).toBe(2 * 512 ** 3);
  });

  it('keeps f32 cancellation that f32 accumulation would lose', () => {
    const problem = p(1, 1, 3);
    const got = matmul.reference(problem, [Float32Array.from([1e8, 1, -1e8]), Float32Array.from([1, 1, 1])]);
    expect(got[0]).toBe(1);
  });

  it('scales tolerance with K and precision', () => {
    expect(matmul.tolerance(p(4, 4, 1024), 'f32').rel).toBeGreaterThan(matmul.tolerance(p(4, 4, 16), 'f32').rel);
    expect(matmul.tolerance(p(4, 4, 64), 'f16').rel).toBeGreaterThan(matmul.tolerance(p(4, 4, 64), 'f32').rel);
  });

  it('offers edge shapes that differ from the problem and stay within it', () => {
    const shapes = matmul.edgeShapes(p(512, 512, 512));
    expect(shapes.length).toBeGreaterThan(2);
    expect(shapes.some((s) => s.shape.n % 4 !== 0)).toBe(true);
    expect(matmul.edgeShapes(p(1, 1, 1))).toEqual([]);
  });

  it('validates problems with the zod path of the wrong field', () => {
    const parsed = Problem.safeParse({ op: 'matmul', shape: { m: 4, n: 0, k: 4 } });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path).toEqual(['shape', 'n']);
    expect(problemKey(p(3, 4, 5))).toBe('matmul:3x4x5:f32');
    expect(() => opByName('conv9d')).toThrow(/unknown op "conv9d"/);
  });
});
