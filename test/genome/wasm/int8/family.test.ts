import { describe, expect, it } from 'vitest';
import { familyFor } from '../../../../genome/families/registry.ts';
import { parseProblem, type Problem } from '../../../../genome/ops/index.ts';
import { verify } from '../../../../verifiers/harness.ts';
import { wasmKernel } from '../../../../worker/wasm/kernel.ts';
import type { Genome } from '../../../../genome/genome.ts';
import type { WasmLaunch } from '../../../../genome/families/launch.ts';
import type { MatmulInt8WasmGenome } from '../../../../genome/wasm/int8/genome.ts';
import { packedB } from '../../../../genome/wasm/int8/layout.ts';
import { instantiateLaunch } from '../../../../worker/wasm/kernel.ts';

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

  it('c8 (8 k per vector, lanes summed at the store) and narrowB (B bytes, zero point through row sums): every dtype at an odd K past a block of 8 and a ragged N, unrolled, and the GEMV seeds at M = 1', async () => {
    const packed = (mr: number, nr: number, kUnroll: number, genes: Partial<MatmulInt8WasmGenome>): MatmulInt8WasmGenome => ({ op: 'matmul', backend: 'wasm', family: 'int8', instruction: 'dot16', mr, nr, kUnroll, packA: true, ...genes });
    const c8 = (mr: number, nr: number, kUnroll: number) => packed(mr, nr, kUnroll, { c8: true });
    for (const dtype of ['i8', 'u8i8', 'i16'] as const) {
      const problem = parseProblem({ op: 'matmul', shape: { m: 5, n: 13, k: 19 }, dtype });
      const genomes = [c8(2, 4, 1), c8(3, 8, 2), ...(dtype === 'i16' ? [] : [packed(2, 4, 1, { c8: true, narrowB: true }), packed(3, 8, 2, { narrowB: true })])];
      for (const g of genomes) expect(await verdict(problem, g), `${dtype} ${JSON.stringify(g)}`).toBeUndefined();
    }
    const blocked = parseProblem({ op: 'matmul', shape: { m: 3, n: 6, k: 70 }, dtype: 'i16', exponentBlock: 32 });
    expect(await verdict(blocked, c8(1, 4, 2))).toBeUndefined();
    const gemv = parseProblem({ op: 'matmul', shape: { m: 1, n: 21, k: 33 }, dtype: 'u8i8' });
    const seeds = family.space(gemv, { id: 't', label: 't', facts: { backend: 'wasm', relaxedSimd: false } as never }).seeds!() as MatmulInt8WasmGenome[];
    expect(seeds.every((g) => g.mr === 1)).toBe(true);
    for (const g of seeds) expect(await verdict(gemv, g), JSON.stringify(g)).toBeUndefined();
  });

  it("c8's load-time pack: column j's 8 k values side by side less B's zero point, zeros past K and N", async () => {
    const problem = parseProblem({ op: 'matmul', shape: { m: 2, n: 5, k: 11 }, dtype: 'u8i8' });
    const g: MatmulInt8WasmGenome = { op: 'matmul', backend: 'wasm', family: 'int8', instruction: 'dot16', mr: 1, nr: 4, kUnroll: 1, packA: true, c8: true };
    const code = family.code(g, problem);
    const launch = code.launch as WasmLaunch;
    const { memory, prepare } = await instantiateLaunch(code.text, launch);
    const [, , b, zb] = launch.tensors;
    const bytes = new Int8Array(memory.buffer);
    for (let i = 0; i < 11 * 5; i++) bytes[b!.offset + i] = i - 27;
    bytes[zb!.offset] = -3;
    prepare!();
    const pack = packedB(g, problem as never);
    const packed = new Int16Array(memory.buffer, launch.prepare!.packed.offset, pack.bytes / 2);
    // Element ((block * steps + step) * nr + column) * 8 + t is B[step * 8 + t][block * nr + column] - zb.
    const expected = Array.from(packed, (_, e) => {
      const [t, column, step, block] = [e % 8, Math.floor(e / 8) % 4, Math.floor(e / 32) % pack.steps, Math.floor(e / (32 * pack.steps))];
      const [kk, j] = [step * 8 + t, block * 4 + column];
      return kk < 11 && j < 5 ? kk * 5 + j - 27 + 3 : 0;
    });
    expect([...packed]).toEqual(expected);
  });
});
