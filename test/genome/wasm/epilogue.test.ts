import { describe, expect, it } from 'vitest';
import { familyFor } from '../../../genome/families/registry.ts';
import { WasmLaunch } from '../../../genome/families/launch.ts';
import type { Genome } from '../../../genome/genome.ts';
import { MatmulProblem, parseProblem, type Problem } from '../../../genome/ops/index.ts';
import { wasmMatmulSpace } from '../../../genome/wasm/space.ts';
import { Rng } from '../../../lib/rng.ts';
import { verify } from '../../../verifiers/harness.ts';
import { wasmKernel } from '../../../worker/wasm/kernel.ts';

const family = familyFor('matmul', 'wasm');
const problemWith = (epilogue: string[]) => parseProblem({ op: 'matmul', shape: { m: 37, n: 29, k: 19 }, epilogue });
const genomeFor = (problem: Problem, epilogue: 'fused' | 'tile' | 'pass'): Genome => ({ ...family.space(problem, device).seeds!()[0]!, epilogue });
const device = { id: 'd', label: 'test', facts: { backend: 'wasm' as const, cpu: 'x', cores: 1, arch: 'x64', node: '20', v8: '11', simd: true, relaxedSimd: false } };

/** The whole harness (shapes, numerics, edges: NaN, Inf, huge, subnormal), as a campaign would run it. */
async function verdict(problem: Problem, code: (p: Problem) => { text: string; launch: unknown }): Promise<string> {
  const result = await verify((p) => wasmKernel(p, code(p).text, WasmLaunch.parse(code(p).launch)), problem, { seed: 3, precision: 'f32' });
  return result.kernel ? 'ok' : `${result.failure!.stage}: ${result.failure!.reason}`;
}

describe('matmul epilogue on WASM', () => {
  for (const stages of [['bias', 'relu'], ['bias', 'gelu', 'residual'], ['silu', 'residual']]) {
    it(`${stages.join(' -> ')}: fused in registers, on each stored tile, one pass per stage, and the unfused baseline all verify`, async () => {
      const problem = problemWith(stages);
      expect(await verdict(problem, (p) => family.code(genomeFor(p, 'fused'), p))).toBe('ok');
      expect(await verdict(problem, (p) => family.code(genomeFor(p, 'tile'), p))).toBe('ok');
      expect(await verdict(problem, (p) => family.code(genomeFor(p, 'pass'), p))).toBe('ok');
      expect(await verdict(problem, (p) => family.baseline(p))).toBe('ok');
    });
  }

  it('takes the extra inputs in ABI order: A, B, bias, R, then C', () => {
    const launch = WasmLaunch.parse(family.code(genomeFor(problemWith(['bias', 'gelu', 'residual']), 'fused'), problemWith(['bias', 'gelu', 'residual'])).launch);
    expect(launch.tensors.map((t) => [t.name, t.dims])).toEqual([['A', [37, 19]], ['B', [19, 29]], ['bias', [29]], ['R', [37, 29]], ['C', [37, 29]]]);
  });

  it('offers the fusion gene only to problems with an epilogue', () => {
    const rng = new Rng(1);
    const withEpilogue = wasmMatmulSpace(MatmulProblem.parse(problemWith(['bias', 'relu'])), { relaxedSimd: false });
    expect(new Set(Array.from({ length: 50 }, () => withEpilogue.sample(rng).epilogue))).toEqual(new Set(['fused', 'tile', 'pass']));
    const plain = wasmMatmulSpace({ op: 'matmul', shape: { m: 8, n: 8, k: 8 }, dtype: 'f32' }, { relaxedSimd: false });
    expect(plain.sample(rng).epilogue).toBeUndefined();
    expect(plain.check({ ...plain.sample(rng), epilogue: 'fused' })).toMatch(/no epilogue/);
  });
});
