import { describe, expect, it } from 'vitest';
import { familyFor } from '../../../../genome/families/registry.ts';
import type { WasmLaunch } from '../../../../genome/families/launch.ts';
import type { Genome } from '../../../../genome/genome.ts';
import { parseProblem, type Problem } from '../../../../genome/ops/index.ts';
import { verify } from '../../../../verifiers/harness.ts';
import { wasmKernel } from '../../../../worker/wasm/kernel.ts';

const family = familyFor('matmul', 'wasm', 'f16');
const device = { id: 't', label: 't', facts: { backend: 'wasm', relaxedSimd: false } } as const;

async function verdict(problem: Problem, genome: Genome | null) {
  const build = (p: Problem) => {
    const code = genome ? family.code(genome, p) : family.baseline(p);
    return wasmKernel(p, code.text, code.launch as WasmLaunch);
  };
  const { failure, kernel } = await verify(build, problem, { seed: 3, precision: genome ? family.precision(genome) : 'f32' });
  await kernel?.dispose();
  return failure?.reason;
}

describe('the f16-storage WASM family', () => {
  const problem = parseProblem({ op: 'matmul', shape: { m: 37, n: 53, k: 40 }, dtype: 'f16' });

  it('the baseline and every seed pass the whole harness (f16 edge values, odd shapes)', async () => {
    expect(await verdict(problem, null)).toBeUndefined();
    const seeds = family.space(problem, device).seeds!();
    expect(seeds.length).toBeGreaterThan(0);
    for (const seed of seeds) expect(await verdict(problem, seed), JSON.stringify(seed)).toBeUndefined();
  });

  it('its genomes are the f32 kernel genes under family f16, with a workspace for the f32 copies', () => {
    const [seed] = family.space(problem, device).seeds!();
    expect(seed).toMatchObject({ backend: 'wasm', family: 'f16' });
    const launch = family.code(seed!, problem).launch as WasmLaunch;
    expect(launch.tensors.map((t) => t.dtype)).toEqual(['f16', 'f16', 'f16']);
    // A, B, C widened (4 bytes each) plus the f32 kernel's packing space.
    expect(launch.workspace.length * 4).toBeGreaterThanOrEqual(4 * (37 * 40 + 40 * 53 + 37 * 53) + 4 * (37 * 40 + 40 * 53));
  });
});
