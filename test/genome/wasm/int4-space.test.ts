import { describe, expect, it } from 'vitest';
import { Int4WasmGenome } from '../../../genome/wasm/int4/genome.ts';
import type { Int4Kernel } from '../../../genome/wasm/int4/problem.ts';
import { wasmInt4Space } from '../../../genome/wasm/int4/space.ts';
import { Rng } from '../../../lib/rng.ts';

const problems: Int4Kernel[] = [
  { m: 37, n: 53, k: 40, group: 32, dtype: 'w4', zeroPoints: true },
  { m: 1, n: 4096, k: 4096, group: 32, dtype: 'w4', zeroPoints: false },
  { m: 2, n: 3, k: 100, group: 64, dtype: 'w4a8', zeroPoints: false },
];

describe('the 4-bit WASM search space', () => {
  for (const p of problems) {
    for (const relaxedSimd of [false, true]) {
      it(`${p.dtype} ${p.m}x${p.n}x${p.k}${relaxedSimd ? ' with relaxed SIMD' : ''}: seeds, samples, mutants and children all pass check`, () => {
        const space = wasmInt4Space(p, { relaxedSimd });
        const rng = new Rng(3);
        const seeds = space.seeds!();
        expect(seeds.length).toBeGreaterThanOrEqual(3);
        expect(new Set(seeds.map((g) => g.dequant))).toEqual(new Set(['inline', 'pack']));
        // the GEMV starts streaming, the GEMM dequantizing once
        expect(seeds[0]!.dequant).toBe(p.m === 1 ? 'inline' : 'pack');
        // w4a8 seeds widen for dot_i16x8: the relaxed dot is only explored
        if (p.dtype === 'w4a8') expect(seeds.some((g) => g.dequant === 'inline' && g.relaxed)).toBe(false);
        let population = [...seeds, ...Array.from({ length: 20 }, () => space.sample(rng))];
        for (let round = 0; round < 5; round++) {
          population = population.flatMap((g) => [space.mutate(g, rng), space.crossover(g, rng.pick(population), rng)]).slice(0, 60);
          for (const g of population) {
            expect(space.check(g)).toBeNull();
            expect(Int4WasmGenome.parse(g)).toEqual(g);
            if (g.dequant === 'inline') {
              expect(g.relaxed && !relaxedSimd).toBe(false);
              if (p.dtype === 'w4a8') expect([g.scale, g.chains]).toEqual(['group', 1]);
            }
          }
        }
        expect(new Set(population.map((g) => g.dequant)).size).toBe(2);
      });
    }
  }

  it('refuses, and repairs, what breaks a constraint', () => {
    const p = problems[0]!;
    const space = wasmInt4Space(p, { relaxedSimd: false });
    const wide = { op: 'matmul', backend: 'wasm', family: 'int4', dequant: 'inline', mr: 4, nr: 4, scale: 'group', chains: 3, relaxed: true } as const;
    expect(space.check(wide)).toMatch(/relaxed SIMD/);
    const fixed = space.repair(wide)!;
    expect(space.check(fixed)).toBeNull();
    expect(fixed).toMatchObject({ dequant: 'inline', relaxed: false });
    expect(space.check({ ...wide, relaxed: false })).toMatch(/more than 8 outputs/);
    const w4a8 = wasmInt4Space({ ...p, dtype: 'w4a8', zeroPoints: false }, { relaxedSimd: false });
    expect(w4a8.check({ ...wide, mr: 1, nr: 1, relaxed: false, scale: 'weight', chains: 1 })).toMatch(/w4a8 sums exact integers/);
    expect(space.descriptor(fixed)).toContain('dequant:inline');
  });

  it('offers only inline kernels where the dequantized f32 B would not fit in wasm32 memory', () => {
    const p: Int4Kernel = { m: 16384, n: 16384, k: 16384, group: 128, dtype: 'w4', zeroPoints: false };
    const space = wasmInt4Space(p, { relaxedSimd: false });
    const rng = new Rng(9);
    const genomes = [...space.seeds!(), ...Array.from({ length: 30 }, () => space.sample(rng))];
    expect(genomes.every((g) => g.dequant === 'inline')).toBe(true);
    const pack = wasmInt4Space({ ...p, m: 64, n: 64, k: 64 }, { relaxedSimd: false }).seeds!().find((g) => g.dequant === 'pack')!;
    expect(space.check(pack)).toMatch(/past wasm32 memory/);
    expect(space.repair(pack)).toBeNull();
  });
});
