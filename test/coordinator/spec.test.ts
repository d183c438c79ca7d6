import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpecFile, parseSpec, specProblems } from '../../coordinator/spec.ts';
import { KevoError } from '../../lib/errors.ts';

function badInput(fn: () => unknown): KevoError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KevoError);
    expect((error as KevoError).code).toBe('BAD_INPUT');
    return error as KevoError;
  }
  throw new Error('expected BAD_INPUT');
}

describe('campaign spec', () => {
  it('fills defaults and resolves problems', () => {
    const spec = parseSpec({ problems: [{ op: 'matmul', shape: '64x32x16' }] });
    expect(spec).toMatchObject({ backend: 'wasm', strategy: 'genetic', population: 12, budget: { evaluations: 60 }, seed: 1, db: 'kevo.db' });
    expect(specProblems(spec)).toEqual([{ op: 'matmul', shape: { m: 64, n: 32, k: 16 }, dtype: 'f32' }]);
  });

  it('takes an epilogue in its fixed order, and names a wrong stage or order', () => {
    const spec = parseSpec({ problems: [{ op: 'matmul', shape: '8x8x8', epilogue: ['bias', 'gelu', 'residual'] }] });
    expect(specProblems(spec)[0]).toMatchObject({ epilogue: ['bias', 'gelu', 'residual'] });
    expect(badInput(() => parseSpec({ problems: [{ op: 'matmul', shape: '8x8x8', epilogue: ['bias', 'swish'] }] })).message).toMatch(
      /problems\.0\.epilogue\.1: unknown epilogue stage "swish"/,
    );
    expect(badInput(() => parseSpec({ problems: [{ op: 'matmul', shape: '8x8x8', epilogue: ['gelu', 'bias'] }] })).message).toMatch(
      /epilogue\.1: epilogue stage "bias" after "gelu"/,
    );
  });

  it('names the zod path of each problem', () => {
    expect(badInput(() => parseSpec({ problems: [] })).message).toMatch(/problems: .*1/);
    expect(badInput(() => parseSpec({ problems: [{ op: 'conv', shape: '1x1x1' }] })).message).toMatch(/problems\.0\.op/);
    expect(badInput(() => parseSpec({ problems: [{ op: 'matmul', shape: '0x4x4' }] })).message).toMatch(/problems\.0\.shape: shape "0x4x4"/);
    expect(badInput(() => parseSpec({ problems: [{ op: 'matmul', shape: '4x4x4' }], budget: { evaluations: -3 } })).message).toMatch(
      /budget\.evaluations/,
    );
    expect(badInput(() => parseSpec({ problems: [{ op: 'matmul', shape: '4x4x4' }], budget: {} })).message).toMatch(/budget: give evaluations/);
    expect(badInput(() => parseSpec({ problems: [{ op: 'matmul', shape: '4x4x4' }], strategy: 'annealing' })).message).toMatch(/strategy/);
    expect(badInput(() => parseSpec({ problems: [{ op: 'matmul', shape: '4x4x4' }], colour: 'red' })).message).toMatch(/colour/);
  });

  it('reports unreadable and non-JSON spec files by name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kevo-spec-'));
    expect(badInput(() => loadSpecFile(join(dir, 'missing.json'))).message).toMatch(/cannot read spec .*missing\.json.*ENOENT/);
    writeFileSync(join(dir, 'broken.json'), '{ "problems": [');
    expect(badInput(() => loadSpecFile(join(dir, 'broken.json'))).message).toMatch(/broken\.json" is not valid JSON/);
  });
});
