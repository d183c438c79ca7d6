import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { wasmLaunch } from '../../../genome/families/abi.ts';
import { bPackedAtLoad, EXPORTED, matmulWat } from '../../../genome/wasm/codegen.ts';
import type { MatmulWasmGenome } from '../../../genome/wasm/genome.ts';
import { wasmMatmulSpace } from '../../../genome/wasm/space.ts';
import { Rng } from '../../../lib/rng.ts';
import { enableRelaxedSimd } from '../../../worker/wasm/features.ts';
import { errorOf, problemOf } from './kernel-error.ts';

const relaxedSimd = enableRelaxedSimd();

/** 1s, primes, one past a multiple of 4 and of the tiles, K longer than a block. */
const shapes: [number, number, number][] = [
  [1, 1, 1],
  [2, 3, 5],
  [7, 5, 3],
  [13, 17, 9],
  [4, 13, 64],
  [31, 29, 37],
  [65, 67, 31],
  [9, 6, 70],
];

const base: MatmulWasmGenome = {
  op: 'matmul',
  backend: 'wasm',
  family: 'tiled',
  mr: 3,
  nr: 8,
  kUnroll: 2,
  mc: 6,
  kc: 16,
  nc: 16,
  packA: true,
  packB: true,
  loopOrder: 'nkm',
  fma: false,
};

async function expectCorrect(genome: MatmulWasmGenome, [m, n, k]: [number, number, number]) {
  const problem = problemOf(m, n, k);
  const launch = wasmLaunch(problem, undefined, bPackedAtLoad(genome, problem));
  const { worst, unwritten, inputsKept } = await errorOf(problem, matmulWat(genome, problem), genome.fma, m * 7919 + n * 31 + k, launch);
  expect({ shape: `${m}x${n}x${k}`, unwritten, inputsKept, withinTolerance: worst <= 1 }).toEqual({
    shape: `${m}x${n}x${k}`,
    unwritten: 0,
    inputsKept: true,
    withinTolerance: true,
  });
}

describe('matmulWat', () => {
  it('is pure: the same genome and problem give the same text', () => {
    const problem = problemOf(33, 17, 9);
    expect(matmulWat(base, problem)).toBe(matmulWat({ ...base }, problem));
  });

  it('gives callers that pass no A layout (or the default one) the same text, byte for byte', () => {
    for (const epilogue of [undefined, ['bias', 'relu', 'residual'] as const]) {
      const problem = { ...problemOf(13, 17, 37), ...(epilogue ? { epilogue: [...epilogue] } : {}) };
      const space = wasmMatmulSpace(problem, { relaxedSimd: true });
      const rng = new Rng(7);
      for (const g of [...space.seeds!(), ...Array.from({ length: 20 }, () => space.sample(rng))]) expect(matmulWat(g, problem, EXPORTED, { lda: 37, accumulate: false })).toBe(matmulWat(g, problem));
    }
  });

  it('generates, for genomes of every packing, the WAT they were stored with before B could be packed at load (stored results carry genomes)', () => {
    const fused = { ...problemOf(13, 17, 37), epilogue: ['bias', 'relu', 'residual'] as ('bias' | 'relu' | 'residual')[] };
    const cases: [MatmulWasmGenome, ReturnType<typeof problemOf>][] = [
      [base, problemOf(13, 17, 37)],
      [{ ...base, packB: false, loopOrder: 'kmn' }, problemOf(13, 17, 37)],
      [{ ...base, mr: 5, aBroadcast: 'shuffle', fma: true }, problemOf(13, 17, 37)],
      [{ ...base, kUnroll: 4, kLoop: 'end', addressing: 'bump' }, problemOf(13, 17, 37)],
      [{ ...base, kUnroll: 1, aBroadcast: 'k-shuffle', aLoad: 'preload' }, problemOf(13, 17, 37)],
      [{ ...base, epilogue: 'tile' }, fused],
      [{ ...base, packA: false, epilogue: 'fused' }, fused],
    ];
    // sha256 of the texts main's codegen gave these genomes before packB 'load' existed
    expect(createHash('sha256').update(cases.map(([g, p]) => matmulWat(g, p)).join('\n')).digest('hex').slice(0, 16)).toBe('08f7218654d900a4');
  });

  it('packs B at load time into the panels every call reads: per call no $pack_b, with every loop order, K block and odd shape', async () => {
    const problem = problemOf(64, 64, 64);
    const perCall = matmulWat(base, problem);
    const atLoad = matmulWat({ ...base, packB: 'load' }, problem);
    expect(atLoad).toContain('(func (export "prepare") (param $b i32) (param $packed i32)');
    expect(atLoad).toContain('(param $c i32) (param $ws i32) (param $packed i32)');
    // the entry calls no B packing; only the prepare entry does
    expect(perCall.match(/\(call \$pack_b/g)).toHaveLength(1);
    expect(atLoad.match(/\(call \$pack_b/g)).toHaveLength(1);
    expect(atLoad.slice(atLoad.indexOf('(func (export "matmul")'))).not.toContain('$pack_b');
    // a caller that writes the panels itself gets neither
    expect(matmulWat({ ...base, packB: 'load' }, problem, { ...EXPORTED, prepare: null })).not.toContain('$pack_b');
    for (const loopOrder of ['nkm', 'mnk', 'kmn'] as const)
      for (const [mr, nr, kc] of [[3, 8, 16], [1, 12, 7], [5, 16, 64]] as const)
        for (const shape of [[1, 1, 1], [13, 17, 9], [31, 29, 37], [9, 6, 70]] as [number, number, number][])
          await expectCorrect({ ...base, mr, nr, mc: mr * 2, kc, nc: nr * 2, loopOrder, packB: 'load' }, shape);
  });

  it('comments every block loop and names the tile functions', () => {
    const wat = matmulWat(base, problemOf(64, 64, 64));
    for (const label of [';; N blocks', ';; K blocks', ';; M blocks', ';; register tile 3x8', '(func $tile_3x8', '(func $pack_a', '(func $pack_b']) {
      expect(wat).toContain(label);
    }
    expect(wat).not.toContain('relaxed_madd');
  });

  it.each(shapes)('matches the reference on %ix%ix%i with every packing and loop order', async (m, n, k) => {
    for (const packA of [false, true])
      for (const packB of [false, true])
        for (const loopOrder of ['nkm', 'mnk', 'kmn'] as const) await expectCorrect({ ...base, packA, packB, loopOrder }, [m, n, k]);
  });

  it('handles every column remainder and unroll, including tiles wider and taller than the problem', async () => {
    for (const nr of [4, 8, 12, 16])
      for (const kUnroll of [1, 3, 4])
        for (const mr of [1, 5, 8]) await expectCorrect({ ...base, mr, nr, kUnroll, mc: mr * 2, nc: nr, kc: 7 }, [6, nr + 3, 10]);
  });

  it('shuffles A out of v128 loads for each whole group of four rows and splats the rest, on every tile height', async () => {
    const wat = matmulWat({ ...base, mr: 5, nr: 8, mc: 10, aBroadcast: 'shuffle' }, problemOf(64, 64, 64));
    expect(wat).toContain('(local $a4_0 v128)');
    expect(wat).toContain('i8x16.shuffle 4 5 6 7 4 5 6 7');
    expect(wat).toContain('v128.load32_splat offset=16');
    for (const mr of [1, 3, 4, 5, 8])
      for (const kUnroll of [1, 3])
        for (const fma of relaxedSimd ? [false, true] : [false])
          for (const shape of [[mr * 2 + 3, 13, 17], [1, 4, 5], [31, 29, 37]] as [number, number, number][])
            await expectCorrect({ ...base, mr, nr: 8, kUnroll, fma, mc: mr * 2, kc: 7, aBroadcast: 'shuffle' }, shape);
  });

  it('refuses a shuffled A that is not packed: its rows are not consecutive', () => {
    expect(() => matmulWat({ ...base, packA: false, aBroadcast: 'shuffle' }, problemOf(8, 8, 8))).toThrow(/needs A packed/);
  });

  it('bumps A and B after every step of an unrolled k loop, loading at offset 0, with every packing, tile and odd shape', async () => {
    const problem = problemOf(64, 64, 64);
    const unrolled = (addressing?: 'offset' | 'bump') => matmulWat({ ...base, packA: false, packB: false, kUnroll: 4, ...(addressing ? { addressing } : {}) }, problem);
    // offset: step 3 reads B three rows (3 * 64 * 4 bytes) past the pointer; bump: every step reads at the pointer, which moves a row at a time
    expect(unrolled()).toContain('v128.load offset=768');
    expect(unrolled()).toBe(unrolled('offset'));
    expect(unrolled('bump')).not.toContain('offset=768');
    expect(unrolled('bump')).toContain('(local.set $b (i32.add (local.get $b) (i32.const 256)))');
    for (const mr of [1, 4, 5])
      for (const kUnroll of [2, 3])
        for (const [packA, packB] of [[false, false], [true, true], [true, false]] as const)
          for (const shape of [[mr * 2 + 3, 13, 17], [1, 4, 5], [31, 29, 37]] as [number, number, number][])
            await expectCorrect({ ...base, mr, nr: 8, kUnroll, packA, packB, mc: mr * 2, kc: 7, addressing: 'bump', ...(packA && mr >= 4 ? { aBroadcast: 'shuffle' as const } : {}) }, shape);
  });

  it('preloads every row of A before the multiply-adds, on every tile height, broadcast and odd shape', async () => {
    const problem = problemOf(64, 64, 64);
    const onTheFly = matmulWat(base, problem);
    expect(matmulWat({ ...base, aLoad: 'on-the-fly' }, problem)).toBe(onTheFly);
    const preloaded = matmulWat({ ...base, aLoad: 'preload' }, problem);
    expect(preloaded).toContain('(local $a0 v128) (local $a1 v128) (local $a2 v128)');
    // on the fly, row 0's multiply-adds come before row 1's A; preloaded, every A comes first
    const order = (wat: string) => wat.indexOf('(local.set $a1 ') < wat.indexOf('(local.set $c0_0 (f32x4.add');
    expect(order(preloaded)).toBe(true);
    expect(onTheFly).not.toContain('(local.set $a1 ');
    for (const mr of [1, 4, 5])
      for (const kUnroll of [1, 3])
        for (const aBroadcast of ['splat', 'shuffle'] as const)
          for (const shape of [[mr * 2 + 3, 13, 17], [1, 4, 5], [31, 29, 37]] as [number, number, number][])
            await expectCorrect({ ...base, mr, nr: 8, kUnroll, mc: mr * 2, kc: 7, aBroadcast, aLoad: 'preload' }, shape);
  });

  it('ends the k loop where B\'s pointer reaches its end instead of counting steps, with every unroll, addressing and odd shape', async () => {
    const problem = problemOf(64, 64, 64);
    const counted = matmulWat(base, problem);
    expect(matmulWat({ ...base, kLoop: 'count' }, problem)).toBe(counted);
    const byEnd = matmulWat({ ...base, kUnroll: 4, kLoop: 'end' }, problem);
    expect(byEnd).toContain('(local $bEnd i32) (local $bEndUnrolled i32)');
    expect(byEnd).toContain('(br_if $k_unrolled (i32.ne (local.get $b) (local.get $bEndUnrolled)))');
    // no step counter left in the tile's loops
    expect(byEnd).not.toContain('(local.set $depth');
    expect(counted).toContain('(local.set $depth');
    for (const mr of [1, 4, 5])
      for (const kUnroll of [1, 3, 4])
        for (const [packA, packB] of [[false, false], [true, true]] as const)
          for (const addressing of kUnroll > 1 ? (['offset', 'bump'] as const) : (['offset'] as const))
            for (const shape of [[mr * 2 + 3, 13, 17], [1, 4, 5], [31, 29, 37]] as [number, number, number][])
              await expectCorrect({ ...base, mr, nr: 8, kUnroll, packA, packB, mc: mr * 2, kc: 7, addressing, kLoop: 'end' }, shape);
  });

  it('shuffles four k of a row out of one load (A packed [k/4][row][4] or straight from A), with the depth % 4 tail, on every tile height and odd shape', async () => {
    const problem = problemOf(64, 64, 64);
    const kShuffled = matmulWat({ ...base, kUnroll: 1, aBroadcast: 'k-shuffle' }, problem);
    expect(kShuffled).toContain('(loop $k4');
    expect(kShuffled).toContain('(loop $groups');
    // one v128 load per row for four steps; the lane shuffles take lanes 0-3 in turn
    expect(kShuffled).toContain('(local.set $ak2 (v128.load offset=32 (local.get $a)))');
    expect(kShuffled).toContain('(i8x16.shuffle 12 13 14 15');
    expect(() => matmulWat({ ...base, kUnroll: 2, aBroadcast: 'k-shuffle' }, problem)).toThrow(/kUnroll 1/);
    for (const mr of [1, 3, 4])
      for (const packA of [false, true])
        for (const aLoad of ['on-the-fly', 'preload'] as const)
          // kc 7 and 9: a block's depth % 4 is 3 and 1; K 5 leaves one step after a group
          for (const [shape, kc] of [[[mr * 2 + 3, 13, 17], 7], [[1, 4, 5], 9], [[31, 29, 37], 9], [[9, 6, 3], 7]] as [[number, number, number], number][])
            await expectCorrect({ ...base, mr, nr: 8, kUnroll: 1, packA, mc: mr * 2, kc, aBroadcast: 'k-shuffle', aLoad }, shape);
  });

  it('is correct for random genomes of a 64^3 space run on random small shapes', async () => {
    const space = wasmMatmulSpace(problemOf(64, 64, 64), { relaxedSimd });
    const rng = new Rng(2024);
    for (let i = 0; i < 40; i++) {
      const genome = space.sample(rng);
      await expectCorrect(genome, [rng.int(1, 40), rng.int(1, 40), rng.int(1, 80)]);
    }
  });

  it.runIf(relaxedSimd)('emits relaxed_madd for fma genomes and stays within the FMA tolerance', async () => {
    const genome = { ...base, fma: true, mr: 6, nr: 8 };
    expect(matmulWat(genome, problemOf(8, 8, 8))).toContain('f32x4.relaxed_madd');
    for (const shape of shapes) await expectCorrect(genome, shape);
  });
});
