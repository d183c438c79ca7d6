import { describe, expect, it } from 'vitest';
import { WasmLaunch } from '../../../genome/families/launch.ts';
import { familyFor } from '../../../genome/families/registry.ts';
import { parseProblem } from '../../../genome/ops/index.ts';
import { enableRelaxedSimd } from '../../../worker/wasm/features.ts';
import { wasmVerdict as verdict } from '../../helpers/family-verdict.ts';

const device = { id: 'test', label: 'test', facts: { backend: 'wasm' as const, relaxedSimd: true } };

describe('the int4 WASM family through the whole verifier harness', () => {
  enableRelaxedSimd();
  const problems = [
    parseProblem({ op: 'matmul', shape: { m: 37, n: 53, k: 40 }, dtype: 'w4', group: 32 }),
    parseProblem({ op: 'matmul', shape: { m: 6, n: 9, k: 200 }, dtype: 'w4', group: 64, zeroPoint: true }),
    parseProblem({ op: 'matmul', shape: { m: 37, n: 53, k: 40 }, dtype: 'w4a8', group: 32 }),
    parseProblem({ op: 'matmul', shape: { m: 1, n: 20, k: 300 }, dtype: 'w4a8', group: 128 }),
    // The GEMV seeds (four columns a tile) with a ragged last tile and zero points.
    parseProblem({ op: 'matmul', shape: { m: 1, n: 22, k: 96 }, dtype: 'w4', group: 32, zeroPoint: true }),
  ];
  for (const problem of problems) {
    it(`${problem.dtype}${'zeroPoint' in problem && problem.zeroPoint ? ' with zero points' : ''} ${problem.shape.m}x${problem.shape.n}x${problem.shape.k}: the baseline and every seed pass every stage`, async () => {
      const family = familyFor('matmul', 'wasm', problem.dtype);
      expect(family.name).toBe('int4');
      expect(await verdict(problem, 'baseline')).toBeUndefined();
      const seeds = family.space(problem, device).seeds!();
      // the pack seeds dequantize straight into the f32 kernel's panels
      const packs = seeds.map((g) => JSON.stringify(g)).filter((g) => g.includes('"dequant":"pack"'));
      expect(packs.length > 0 && packs.every((g) => g.includes('"packB":"load"'))).toBe(true);
      for (const genome of seeds) expect(await verdict(problem, genome), JSON.stringify(genome)).toBeUndefined();
    });
  }

  it('the launch carries the workspace each kernel needs', () => {
    const problem = problems[0]!;
    const family = familyFor('matmul', 'wasm', 'w4');
    const [first, ...rest] = family.space(problem, device).seeds!();
    const sizes = new Set([first!, ...rest].map((g) => WasmLaunch.parse(family.code(g, problem).launch).workspace.length));
    expect(sizes.size).toBeGreaterThan(1);
    expect(family.describe(first!)).toMatch(/^int4 /);
  });
});
