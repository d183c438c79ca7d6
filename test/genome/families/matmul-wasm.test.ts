import { describe, expect, it } from 'vitest';
import { matmulWasm } from '../../../genome/families/matmul-wasm.ts';
import type { MatmulWasmGenome } from '../../../genome/wasm/genome.ts';

const genome: MatmulWasmGenome = { op: 'matmul', backend: 'wasm', family: 'tiled', mr: 5, nr: 8, kUnroll: 1, mc: 60, kc: 256, nc: 256, packA: true, packB: true, loopOrder: 'nkm', fma: true };

describe('matmulWasm family', () => {
  it('describes a genome by its genes, the A broadcast only where it is shuffled', () => {
    expect(matmulWasm.describe(genome)).toBe('5x8 tile, k unroll 1, blocks 60/256/256 nkm, packA, packB, fma');
    expect(matmulWasm.describe({ ...genome, aBroadcast: 'shuffle' })).toBe('5x8 tile, k unroll 1, blocks 60/256/256 nkm, packA (A shuffled), packB, fma');
  });
});
