import { describe, expect, it } from 'vitest';
import { matmulPrecisionWasm } from '../../../../genome/families/matmul-precision-wasm.ts';
import { familyOf, searchFamilies } from '../../../../genome/families/registry.ts';
import { parseProblem } from '../../../../genome/ops/index.ts';
import type { Target } from '../../../../genome/target.ts';
import { MatmulPrecisionWasmGenome } from '../../../../genome/wasm/precision/genome.ts';
import { Rng } from '../../../../lib/rng.ts';
import { assembleWat } from '../../../../worker/wasm/assemble.ts';

const problem = parseProblem({ op: 'matmul', shape: { m: 19, n: 21, k: 45 }, accuracy: 0.01 });
const target: Target = { id: 'test', label: 'test', facts: { backend: 'wasm', relaxedSimd: true } };

describe('the precision space on WASM', () => {
  it('runs only problems with a numeric accuracy: a plain f32 problem keeps the tiled family', () => {
    expect(searchFamilies(problem, 'wasm').map((f) => f.name)).toEqual(['precision']);
    const plain = parseProblem({ op: 'matmul', shape: { m: 19, n: 21, k: 45 } });
    expect(searchFamilies(plain, 'wasm').map((f) => f.name)).toEqual(['tiled']);
    const genome = matmulPrecisionWasm.space(problem, target).seeds!()[0]!;
    expect(() => matmulPrecisionWasm.code(genome, problem)).not.toThrow();
    // Its genomes may quantize: they are refused for a problem held to f32.
    expect(familyOf(problem, genome).name).toBe('precision');
    expect(() => familyOf(plain, genome)).toThrow(/precision genome is an alternative that does not compute this matmul problem \(accuracy f32\)/);
  });

  it('seeds take turns between precisions; sample, mutate and crossover stay in the space and reach every precision', () => {
    const space = matmulPrecisionWasm.space(problem, target);
    expect(space.seeds!().slice(0, 4).map((g) => MatmulPrecisionWasmGenome.parse(g).precision)).toEqual(['f32', 'i8', 'w4', 'f16']);
    const rng = new Rng(3);
    const seen = new Set<string>();
    let genomes = Array.from({ length: 8 }, () => space.sample(rng));
    for (let round = 0; round < 30; round++) {
      genomes = genomes.map((g, i) => (rng.chance(0.5) ? space.mutate(g, rng) : space.crossover(g, genomes[(i + 1) % genomes.length]!, rng)));
      for (const g of genomes) {
        expect(space.check(g), JSON.stringify(g)).toBeNull();
        const parsed = MatmulPrecisionWasmGenome.parse(g);
        seen.add(parsed.precision);
      }
    }
    expect([...seen].sort()).toEqual(['f16', 'f32', 'i8', 'w4']);
  });

  it('the f32 precision packs B at load exactly where B is fixed, as the tiled family does', () => {
    const f32Seed = (weights: 'fixed' | 'varying') =>
      MatmulPrecisionWasmGenome.parse(matmulPrecisionWasm.space({ ...problem, weights } as typeof problem, target).seeds!()[0]);
    const fixed = f32Seed('fixed');
    const varying = f32Seed('varying');
    expect(fixed.precision === 'f32' && fixed.kernel.packB).toBe('load');
    expect(varying.precision === 'f32' && varying.kernel.packB).not.toBe('load');
  });

  it('every precision assembles at a shape with tails everywhere (M, N odd, K past one group)', async () => {
    const rng = new Rng(5);
    const space = matmulPrecisionWasm.space(problem, target);
    const byPrecision = new Map<string, MatmulPrecisionWasmGenome>();
    while (byPrecision.size < 4) {
      const g = MatmulPrecisionWasmGenome.parse(space.sample(rng));
      byPrecision.set(g.precision, g);
    }
    for (const g of byPrecision.values()) await expect(assembleWat(matmulPrecisionWasm.code(g, problem).text)).resolves.toBeInstanceOf(Uint8Array);
  });
});
