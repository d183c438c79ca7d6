import { describe, expect, it } from 'vitest';
import { matmulWasm } from '../../../genome/families/matmul-wasm.ts';
import { WasmLaunch } from '../../../genome/families/launch.ts';
import { parseProblem } from '../../../genome/ops/index.ts';
import { MatmulWasmGenome } from '../../../genome/wasm/genome.ts';
import { enableRelaxedSimd } from '../../../worker/wasm/features.ts';
import { wasmVerdict } from '../../helpers/family-verdict.ts';

const genome: MatmulWasmGenome = { op: 'matmul', backend: 'wasm', family: 'tiled', mr: 5, nr: 8, kUnroll: 1, mc: 60, kc: 256, nc: 256, packA: true, packB: true, loopOrder: 'nkm', fma: true };
const device = { id: 'test', label: 'test', facts: { backend: 'wasm' as const, relaxedSimd: enableRelaxedSimd() } };

describe('matmulWasm family', () => {
  it('describes a genome by its genes, the A broadcast only where it is shuffled', () => {
    expect(matmulWasm.describe(genome)).toBe('5x8 tile, k unroll 1, blocks 60/256/256 nkm, packA, packB, fma');
    expect(matmulWasm.describe({ ...genome, aBroadcast: 'shuffle' })).toBe('5x8 tile, k unroll 1, blocks 60/256/256 nkm, packA (A shuffled), packB, fma');
    expect(matmulWasm.describe({ ...genome, packB: 'load' })).toBe('5x8 tile, k unroll 1, blocks 60/256/256 nkm, packA, B packed at load, fma');
  });

  it('with B fixed, seeds every start with B packed at load; those pass every harness stage (weights kept, activations redrawn) with and without an epilogue', async () => {
    const problem = parseProblem({ op: 'matmul', shape: { m: 37, n: 29, k: 70 }, dtype: 'f32', weights: 'fixed' });
    const seeds = matmulWasm.space(problem, device).seeds!().map((g) => MatmulWasmGenome.parse(g));
    expect(seeds.every((g) => g.packB === 'load')).toBe(true);
    // B varying (f32's default): no load-time pack is offered, since it would be a per-call pack under another name.
    const varying = matmulWasm.space(parseProblem({ ...problem, weights: 'varying' }), device);
    expect(varying.seeds!().some((g) => MatmulWasmGenome.parse(g).packB === 'load')).toBe(false);
    expect(varying.check({ ...seeds[0]!, packB: 'load' })).toMatch(/load/);
    const launch = WasmLaunch.parse(matmulWasm.code(seeds[0]!, problem).launch);
    expect(launch.prepare).toMatchObject({ entry: 'prepare', weights: [1], packed: { length: 4 * 70 * 29 } });
    expect(WasmLaunch.parse(matmulWasm.code({ ...seeds[0]!, packB: true }, problem).launch).prepare).toBeUndefined();
    // a plain and (where the runtime has it) an FMA twin; then one with an epilogue after the packed B
    for (const g of seeds.filter((g) => g.mr === 4)) expect(await wasmVerdict(problem, g), JSON.stringify(g)).toBeUndefined();
    const fused = parseProblem({ op: 'matmul', shape: { m: 9, n: 13, k: 40 }, dtype: 'f32', epilogue: ['bias', 'relu', 'residual'], weights: 'fixed' });
    const g = MatmulWasmGenome.parse(matmulWasm.space(fused, device).seeds!()[0]);
    expect(g.packB).toBe('load');
    expect(await wasmVerdict(fused, g)).toBeUndefined();
  });
});
