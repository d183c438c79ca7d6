import { describe, expect, it } from 'vitest';
import { familyFor } from '../../../../genome/families/registry.ts';
import { parseProblem, type Problem } from '../../../../genome/ops/index.ts';
import { verify } from '../../../../verifiers/harness.ts';
import { wasmKernel } from '../../../../worker/wasm/kernel.ts';
import type { Genome } from '../../../../genome/genome.ts';
import type { WasmLaunch } from '../../../../genome/families/launch.ts';
import type { MatmulInt8WasmGenome } from '../../../../genome/wasm/int8/genome.ts';

const family = familyFor('matmul', 'wasm', 'i8');

async function verdict(problem: Problem, genome: Genome | null) {
  const build = (p: Problem) => {
    const code = genome ? family.code(genome, p) : family.baseline(p);
    return wasmKernel(p, code.text, code.launch as WasmLaunch);
  };
  const { failure, kernel } = await verify(build, problem, { seed: 3, precision: 'f32' });
  await kernel?.dispose();
  return failure?.reason;
}

describe('the int8 WASM family', () => {
  for (const [dtype, extra] of [['i8', {}], ['u8i8', {}], ['i16', {}], ['i16', { exponentBlock: 32 }]] as const) {
    const problem = parseProblem({ op: 'matmul', shape: { m: 37, n: 53, k: 40 }, dtype, ...extra });
    it(`${dtype} ${JSON.stringify(extra)}: the baseline and every seed pass the whole harness, edge shapes and int extremes included`, async () => {
      expect(familyFor('matmul', 'wasm', dtype)).toBe(family);
      expect(await verdict(problem, null)).toBeUndefined();
      const space = family.space(problem, { id: 't', label: 't', facts: { backend: 'wasm', relaxedSimd: true } as never });
      for (const seed of space.seeds!()) expect(await verdict(problem, seed), JSON.stringify(seed)).toBeUndefined();
    });
  }

  it('i16 with exponent blocks of 32 at an odd K over four blocks: every k unroll and packA, each block folded once', async () => {
    const problem = parseProblem({ op: 'matmul', shape: { m: 5, n: 9, k: 101 }, dtype: 'i16', exponentBlock: 32 });
    const space = family.space(problem, { id: 't', label: 't', facts: { backend: 'wasm', relaxedSimd: true } as never });
    const all = ([...space.enumerate!()] as MatmulInt8WasmGenome[]).filter((g) => g.mr === 2 && g.nr === 8);
    expect(all.map((g) => g.kUnroll).sort()).toEqual([1, 1, 2, 2, 4, 4]);
    for (const g of all) expect(await verdict(problem, g), JSON.stringify(g)).toBeUndefined();
  });

  it('i8: every genome of the space passes at an odd K (the padded k pair) on a few random tiles', async () => {
    const problem = parseProblem({ op: 'matmul', shape: { m: 7, n: 21, k: 9 }, dtype: 'i8' });
    const space = family.space(problem, { id: 't', label: 't', facts: { backend: 'wasm', relaxedSimd: true } as never });
    const all = [...space.enumerate!()];
    expect(all.length).toBeGreaterThan(20);
    for (const g of all.filter((_, i) => i % 7 === 0)) expect(await verdict(problem, g), JSON.stringify(g)).toBeUndefined();
  });
});
