import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { genomeHash } from '../../../genome/genome.ts';
import type { MatmulWasmGenome } from '../../../genome/wasm/genome.ts';
import { liveVectors, V128_REGISTERS, wasmMatmulSpace } from '../../../genome/wasm/space.ts';
import { Rng } from '../../../lib/rng.ts';
import { problemOf } from './kernel-error.ts';

const dims = fc.integer({ min: 1, max: 2048 });
const spaceArb = fc.record({ m: dims, n: dims, k: dims, relaxedSimd: fc.boolean(), seed: fc.integer() });
const spaceOf = ({ m, n, k, relaxedSimd }: { m: number; n: number; k: number; relaxedSimd: boolean }) =>
  wasmMatmulSpace(problemOf(m, n, k), { relaxedSimd });

function expectValid(space: ReturnType<typeof spaceOf>, genome: MatmulWasmGenome) {
  expect(space.schema.safeParse(genome).success).toBe(true);
  expect(space.check(genome)).toBeNull();
}

describe('wasmMatmulSpace', () => {
  it('samples, mutates and crosses over only valid genomes', () => {
    fc.assert(
      fc.property(spaceArb, (params) => {
        const space = spaceOf(params);
        const rng = new Rng(params.seed);
        let a = space.sample(rng);
        let b = space.sample(rng);
        for (let i = 0; i < 10; i++) {
          expectValid(space, a);
          expectValid(space, b);
          [a, b] = [space.mutate(a, rng), space.crossover(a, b, rng)];
        }
        if (!params.relaxedSimd) expect(a.fma || b.fma).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('repairs any schema-valid genome into a valid one', () => {
    const anyGenome = fc.record({
      op: fc.constant('matmul' as const),
      backend: fc.constant('wasm' as const),
      family: fc.constant('tiled' as const),
      mr: fc.integer({ min: 1, max: 8 }),
      nr: fc.constantFrom(4, 8, 12, 16),
      kUnroll: fc.integer({ min: 1, max: 8 }),
      mc: fc.integer({ min: 1, max: 4096 }),
      kc: fc.integer({ min: 1, max: 4096 }),
      nc: fc.integer({ min: 4, max: 8192 }),
      packA: fc.boolean(),
      packB: fc.boolean(),
      loopOrder: fc.constantFrom('nkm', 'knm', 'mnk', 'kmn', 'nmk', 'mkn') as fc.Arbitrary<MatmulWasmGenome['loopOrder']>,
      fma: fc.boolean(),
    });
    fc.assert(
      fc.property(spaceArb, anyGenome, (params, genome) => {
        const space = spaceOf(params);
        const repaired = space.repair(genome);
        expect(repaired).not.toBeNull();
        expectValid(space, repaired!);
        if (space.check(genome) === null) expect(repaired).toEqual(genome);
      }),
      { numRuns: 300 },
    );
  });

  it('says why a genome breaks a constraint', () => {
    const space = wasmMatmulSpace(problemOf(512, 512, 512), { relaxedSimd: false });
    const ok = space.sample(new Rng(1));
    expect(space.check({ ...ok, fma: true })).toMatch(/relaxed SIMD/);
    expect(space.check({ ...ok, mr: 4, nr: 16, mc: 64, nc: 64 })).toMatch(/v128 values live/);
    expect(space.check({ ...ok, mr: 4, nr: 8, mc: 66, nc: 64 })).toMatch(/mc 66 must be a multiple of mr 4/);
    expect(space.check({ ...ok, mr: 4, nr: 8, mc: 64, nc: 60 })).toMatch(/nc 60/);
    expect(space.check({ ...ok, kc: 1024 })).toMatch(/kc 1024 is more than K 512/);
    expect(space.check({ ...ok, mr: 9 } as MatmulWasmGenome)).toMatch(/mr/);
    expect(wasmMatmulSpace(problemOf(2, 3, 5), { relaxedSimd: true }).check({ ...ok, mr: 3, nr: 4 })).toMatch(/more rows than M 2/);
  });

  it('keeps every tile within the v128 register budget', () => {
    const space = wasmMatmulSpace(problemOf(256, 256, 256), { relaxedSimd: true });
    const rng = new Rng(7);
    for (let i = 0; i < 200; i++) {
      const g = space.sample(rng);
      expect(liveVectors(g.mr, g.nr, g.aBroadcast)).toBeLessThanOrEqual(V128_REGISTERS);
      if (g.aBroadcast === 'shuffle') expect(g.packA).toBe(true);
    }
  });

  it('offers A shuffled out of v128 loads, which fits tiles a per-row splat cannot, and keeps splat genomes as they were', () => {
    const space = wasmMatmulSpace(problemOf(256, 256, 256), { relaxedSimd: false });
    const rng = new Rng(5);
    const sampled = Array.from({ length: 300 }, () => space.sample(rng));
    expect(new Set(sampled.map((g) => g.aBroadcast))).toEqual(new Set([undefined, 'shuffle', 'k-shuffle']));
    expect(sampled.some((g) => g.mr === 5 && g.nr === 8)).toBe(true);
    const ok = sampled.find((g) => g.aBroadcast === undefined && g.packA)!;
    const wide = { ...ok, mr: 5, nr: 8, mc: 60, nc: 64 };
    expect(space.check(wide)).toMatch(/5x8 tile with A splat keeps 17 v128 values live/);
    expect(space.check({ ...wide, aBroadcast: 'shuffle' })).toBeNull();
    expect(space.check({ ...wide, aBroadcast: 'shuffle', packA: false })).toMatch(/aBroadcast shuffle needs packA/);
    // repair writes splat as an absent gene (the hash of a genome from before the gene) and shrinks a tile that no longer fits
    expect(space.repair({ ...ok, aBroadcast: 'splat' })).toEqual(ok);
    expect(space.repair({ ...wide, aBroadcast: 'shuffle', packA: false })).toMatchObject({ mr: 4, nr: 8, packA: false });
    expect(space.repair({ ...wide, aBroadcast: 'shuffle', packA: false })).not.toHaveProperty('aBroadcast');
    for (let i = 0; i < 200; i++) {
      const mutated = space.mutate(sampled[i]!, rng);
      expect(space.check(mutated)).toBeNull();
    }
    expect(space.seeds!().some((g) => g.aBroadcast === 'shuffle' && g.mr === 5)).toBe(true);
  });

  it('offers pointers bumped per step in unrolled k loops only, and keeps offset genomes as they were', () => {
    const space = wasmMatmulSpace(problemOf(256, 256, 256), { relaxedSimd: false });
    const rng = new Rng(9);
    const sampled = Array.from({ length: 300 }, () => space.sample(rng));
    expect(new Set(sampled.map((g) => g.addressing))).toEqual(new Set([undefined, 'bump']));
    for (const g of sampled) if (g.addressing === 'bump') expect(g.kUnroll).toBeGreaterThan(1);
    const bumped = sampled.find((g) => g.addressing === 'bump')!;
    expect(space.check(bumped)).toBeNull();
    expect(space.check({ ...bumped, kUnroll: 1 })).toMatch(/addressing bump needs kUnroll above 1/);
    // repair writes offset as an absent gene (the hash of a genome from before the gene), and drops bump where nothing is unrolled
    const { addressing: _addressing, ...offset } = bumped;
    expect(space.repair({ ...offset, addressing: 'offset' })).toEqual(offset);
    expect(space.repair({ ...bumped, kUnroll: 1 })).toEqual({ ...offset, kUnroll: 1 });
    // mutation reaches bump from a loop that was not unrolled, by unrolling it
    const rolled = { ...offset, kUnroll: 1 };
    const mutants = Array.from({ length: 300 }, () => space.mutate(rolled, rng));
    expect(mutants.some((g) => g.addressing === 'bump' && g.kUnroll >= 2)).toBe(true);
    for (const g of mutants) expect(space.check(g)).toBeNull();
    const all = [...wasmMatmulSpace(problemOf(24, 20, 40), { relaxedSimd: false }).enumerate!()];
    expect(all.some((g) => g.addressing === 'bump')).toBe(true);
    expect(all.every((g) => g.addressing === undefined || g.kUnroll > 1)).toBe(true);
  });

  it('offers A preloaded before the multiply-adds, and keeps on-the-fly genomes as they were', () => {
    const space = wasmMatmulSpace(problemOf(256, 256, 256), { relaxedSimd: false });
    const rng = new Rng(13);
    const sampled = Array.from({ length: 100 }, () => space.sample(rng));
    expect(new Set(sampled.map((g) => g.aLoad))).toEqual(new Set([undefined, 'preload']));
    const preloaded = sampled.find((g) => g.aLoad === 'preload')!;
    expect(space.check(preloaded)).toBeNull();
    const { aLoad: _aLoad, ...onTheFly } = preloaded;
    expect(space.repair({ ...onTheFly, aLoad: 'on-the-fly' })).toEqual(onTheFly);
    expect(space.repair(preloaded)).toEqual(preloaded);
    const mutants = Array.from({ length: 200 }, () => space.mutate(onTheFly, rng));
    expect(mutants.some((g) => g.aLoad === 'preload')).toBe(true);
    expect([...wasmMatmulSpace(problemOf(24, 20, 40), { relaxedSimd: false }).enumerate!()].some((g) => g.aLoad === 'preload')).toBe(true);
  });

  it('offers a k loop that ends on B\'s pointer, and keeps counted genomes as they were', () => {
    const space = wasmMatmulSpace(problemOf(256, 256, 256), { relaxedSimd: false });
    const rng = new Rng(17);
    const sampled = Array.from({ length: 100 }, () => space.sample(rng));
    expect(new Set(sampled.map((g) => g.kLoop))).toEqual(new Set([undefined, 'end']));
    const byEnd = sampled.find((g) => g.kLoop === 'end')!;
    expect(space.check(byEnd)).toBeNull();
    const { kLoop: _kLoop, ...counted } = byEnd;
    expect(space.repair({ ...counted, kLoop: 'count' })).toEqual(counted);
    expect(space.repair(byEnd)).toEqual(byEnd);
    const mutants = Array.from({ length: 200 }, () => space.mutate(counted, rng));
    expect(mutants.some((g) => g.kLoop === 'end')).toBe(true);
    expect([...wasmMatmulSpace(problemOf(24, 20, 40), { relaxedSimd: false }).enumerate!()].some((g) => g.kLoop === 'end')).toBe(true);
  });

  it('offers A four k a load (k-shuffle), packed or not, always with a plain k loop', () => {
    const space = wasmMatmulSpace(problemOf(256, 256, 256), { relaxedSimd: false });
    const rng = new Rng(19);
    const sampled = Array.from({ length: 200 }, () => space.sample(rng));
    const kShuffled = sampled.filter((g) => g.aBroadcast === 'k-shuffle');
    expect(kShuffled.length).toBeGreaterThan(0);
    expect(new Set(kShuffled.map((g) => g.packA))).toEqual(new Set([false, true]));
    for (const g of kShuffled) expect({ kUnroll: g.kUnroll, addressing: g.addressing, kLoop: g.kLoop, ok: space.check(g) }).toEqual({ kUnroll: 1, addressing: undefined, kLoop: undefined, ok: null });
    const g = kShuffled[0]!;
    expect(space.check({ ...g, kUnroll: 2 })).toMatch(/k-shuffle steps k four at a time/);
    // repair keeps the broadcast and puts the k loop back in the form it needs
    expect(space.repair({ ...g, kUnroll: 4, addressing: 'bump', kLoop: 'end' })).toEqual(g);
    const mutants = Array.from({ length: 300 }, () => space.mutate({ ...g, aBroadcast: undefined }, rng));
    expect(mutants.some((m) => m.aBroadcast === 'k-shuffle')).toBe(true);
    expect([...wasmMatmulSpace(problemOf(24, 20, 40), { relaxedSimd: false }).enumerate!()].some((m) => m.aBroadcast === 'k-shuffle' && !m.packA)).toBe(true);
  });

  it('offers B packed at load only to a kernel that runs a load-time step; without it such a genome repairs to B packed per call', () => {
    const problem = problemOf(256, 256, 256);
    const perCall = wasmMatmulSpace(problem, { relaxedSimd: false });
    const atLoad = wasmMatmulSpace(problem, { relaxedSimd: false }, { packBAtLoad: true });
    const rng = new Rng(23);
    const sampled = Array.from({ length: 100 }, () => atLoad.sample(rng));
    expect(new Set(sampled.map((g) => g.packB))).toEqual(new Set([false, true, 'load']));
    const loaded = sampled.find((g) => g.packB === 'load')!;
    expect(atLoad.check(loaded)).toBeNull();
    expect(perCall.check(loaded)).toMatch(/load-time step/);
    expect(perCall.repair(loaded)).toEqual({ ...loaded, packB: true });
    expect(Array.from({ length: 100 }, () => atLoad.mutate({ ...loaded, packB: false }, rng)).some((g) => g.packB === 'load')).toBe(true);
    expect(perCall.seeds!().every((g) => g.packB === true)).toBe(true);
    expect(atLoad.seeds!()).toEqual(perCall.seeds!().map((g) => ({ ...g, packB: 'load' })));
  });

  it('enumerates a finite grid of distinct valid genomes for a small problem', () => {
    const space = wasmMatmulSpace(problemOf(24, 20, 40), { relaxedSimd: true });
    const all = [...space.enumerate!()];
    expect(all.length).toBeGreaterThan(100);
    expect(all.length).toBeLessThan(200_000);
    for (const g of all) expect(space.check(g)).toBeNull();
    expect(new Set(all.map((g) => genomeHash(g))).size).toBe(all.length);
    expect(new Set(all.map((g) => g.fma))).toEqual(new Set([false, true]));
  });

  it('describes genomes by precision and tile size', () => {
    const space = wasmMatmulSpace(problemOf(512, 512, 512), { relaxedSimd: true });
    const g = space.sample(new Rng(3));
    expect(space.descriptor({ ...g, mr: 1, nr: 4, fma: false })).toEqual(['f32', 'tile:small']);
    expect(space.descriptor({ ...g, mr: 2, nr: 16, fma: true })).toEqual(['f32-fma', 'tile:medium']);
    expect(space.descriptor({ ...g, mr: 6, nr: 8, fma: true })).toEqual(['f32-fma', 'tile:large']);
  });

  it('hashes a genome the same whatever its key order', () => {
    const space = wasmMatmulSpace(problemOf(300, 200, 100), { relaxedSimd: true });
    const rng = new Rng(11);
    for (let i = 0; i < 20; i++) {
      const g = space.sample(rng);
      const reversed = Object.fromEntries(Object.entries(g).reverse()) as MatmulWasmGenome;
      expect(genomeHash(reversed)).toBe(genomeHash(g));
      expect(genomeHash({ ...g, kc: g.kc === 32 ? 64 : 32 })).not.toBe(genomeHash(g));
    }
  });
});
