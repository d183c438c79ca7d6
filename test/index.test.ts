import { describe, expect, it } from 'vitest';
import { defaultWasmGenome, evaluateGenome, type MatmulProblem } from '../index.ts';

describe('kevo as a library', () => {
  it('evaluates one genome from a script, no server or store', async () => {
    const problem: MatmulProblem = { op: 'matmul', shape: { m: 40, n: 36, k: 24 }, dtype: 'f32' };
    const result = await evaluateGenome(problem, { ...defaultWasmGenome(problem), fma: false }, { budgets: { timingMs: 30 } });
    expect(result.status, result.reason).toBe('ok');
    expect(result.verdicts.map((v) => v.stage)).toContain('numerics');
    expect(result.timing!.gflops).toBeGreaterThan(0);
    expect(result.kernel!.language).toBe('wat');
  });
});
