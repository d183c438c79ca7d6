import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matmulPrecisionWebgpu } from '../../../genome/families/matmul-precision-webgpu.ts';
import { familyOf, searchFamilies } from '../../../genome/families/registry.ts';
import { matmul } from '../../../genome/ops/matmul.ts';
import type { Target } from '../../../genome/target.ts';
import { PACKED_DOT } from '../../../genome/webgpu/int8/genome.ts';
import { precisionCode } from '../../../genome/webgpu/precision/codegen.ts';
import { MatmulPrecisionWebgpuGenome } from '../../../genome/webgpu/precision/genome.ts';
import { webgpuPrecisionSpace } from '../../../genome/webgpu/precision/space.ts';
import { Rng } from '../../../lib/rng.ts';

const lavapipe = { features: ['shader-f16'], limits: { maxComputeInvocationsPerWorkgroup: 1024 }, wgslFeatures: [PACKED_DOT] };
const plain = { features: [], limits: {} };
const target = (caps: typeof lavapipe | typeof plain): Target => ({ id: 'gpu', label: 'test', facts: { backend: 'webgpu', ...caps } });
const problem = matmul.problem.parse({ op: 'matmul', shape: { m: 37, n: 53, k: 40 }, accuracy: 0.01 });
const precisionOf = (g: unknown) => MatmulPrecisionWebgpuGenome.parse(g).precision;

describe('the precision family on WebGPU', () => {
  it('replaces the tiled family\'s search under a numeric accuracy only; its genomes are refused for other problems', () => {
    const plainProblem = matmul.problem.parse({ op: 'matmul', shape: { m: 37, n: 53, k: 40 } });
    expect(searchFamilies(problem, 'webgpu').map((f) => f.name)).toEqual(['precision']);
    expect(searchFamilies(plainProblem, 'webgpu').map((f) => f.name)).toEqual(['tiled']);
    const seed = matmulPrecisionWebgpu.space(problem, target(lavapipe)).seeds!()[0]!;
    expect(familyOf(problem, seed).name).toBe('precision');
    expect(() => familyOf(plainProblem, seed)).toThrow(/does not compute this matmul problem/);
  });

  it('seeds take turns between precisions; without shader-f16 there is no f16 branch, and an f16 genome is unsupported', () => {
    const seeds = webgpuPrecisionSpace(problem, lavapipe).seeds!();
    expect(seeds.slice(0, 4).map(precisionOf)).toEqual(['f32', 'f16', 'i8', 'w4']);
    // The f16 branch's seeds: each tiled seed with f16 sums, then with f32 sums.
    expect(seeds.filter((g) => g.precision === 'f16').map((g) => g.kernel.precision).slice(0, 2)).toEqual(['f16', 'f32']);
    const bare = webgpuPrecisionSpace(problem, plain);
    expect(bare.seeds!().slice(0, 3).map(precisionOf)).toEqual(['f32', 'i8', 'w4']);
    const f16 = seeds.find((g) => g.precision === 'f16')!;
    expect(bare.check(f16)).toMatch(/precision f16 is not offered/);
    expect(matmulPrecisionWebgpu.unsupported(f16, target(plain))).toMatch(/shader-f16/);
    expect(matmulPrecisionWebgpu.unsupported(f16, target(lavapipe))).toBeNull();
    // The f32 branch is held to f32: f16 math belongs to the f16 branch.
    const f32 = seeds.find((g) => g.precision === 'f32')!;
    expect(bare.check({ ...f32, kernel: { ...f32.kernel, precision: 'f16' } } as never)).toMatch(/precision f16 needs/);
  });

  it('sample, mutate and crossover stay in the space, reach every precision, and every genome generates', () => {
    const shapes = fc.record({ m: fc.integer({ min: 1, max: 300 }), n: fc.integer({ min: 1, max: 300 }), k: fc.integer({ min: 1, max: 300 }) });
    const seen = new Set<string>();
    fc.assert(
      fc.property(shapes, fc.constantFrom(lavapipe, plain), fc.integer({ min: 0, max: 2 ** 31 }), (shape, caps, seed) => {
        const p = matmul.problem.parse({ op: 'matmul', shape, accuracy: 0.05 });
        const space = webgpuPrecisionSpace(p, caps);
        const rng = new Rng(seed);
        const [a, b] = [space.sample(rng), space.sample(rng)];
        for (const g of [a, b, space.mutate(a, rng), space.crossover(a, b, rng), ...space.seeds!()]) {
          expect(space.check(g), JSON.stringify(g)).toBeNull();
          expect(() => precisionCode(g, p)).not.toThrow();
          seen.add(g.precision);
        }
      }),
      { numRuns: 40 },
    );
    expect([...seen].sort()).toEqual(['f16', 'f32', 'i8', 'w4']);
  });

  it('every kernel keeps the f32 ABI and quantizes by the WASM family\'s schemes', () => {
    const seeds = webgpuPrecisionSpace(problem, lavapipe).seeds!();
    const text = (precision: string, sums?: string) => precisionCode(seeds.find((g) => g.precision === precision && (!sums || (g.precision === 'f16' && g.kernel.precision === sums)))!, problem).text;
    for (const precision of ['f32', 'f16', 'i8', 'w4']) {
      expect(text(precision)).toMatch(/var<storage, read> A: array<f32>;[\s\S]*var<storage, read> B: array<(f32|vec4<f32>)>;[\s\S]*var<storage, read_write> C: array<(f32|vec4<f32>)>;/);
      expect(text(precision)).not.toMatch(/scales/);
    }
    // f16 with f32 sums: each f16 product widened into f32 accumulators.
    expect(text('f16', 'f32')).toMatch(/var acc0_0 = vec4<f32>\(0\.0\);[\s\S]*acc0_0 \+= vec4<f32>\(a0_0 \* b0_0\);/);
    expect(text('f16', 'f16')).toMatch(/var acc0_0 = vec4<f16>\(0\.0\);/);
    // i8: round(x / max * 127), C rescaled by row scale x column scale; w4: round(x / max * 7) + 8 per group of 32 along K.
    expect(text('i8')).toMatch(/levels\(.*127\.0\)/);
    expect(text('i8')).toContain('f32(acc0_0[0]) * ((maxA0 / 127.0) * (maxB0[0] / 127.0))');
    expect(text('w4')).toMatch(/% 32u == 0u\) \{ gmax0_0 = colMax\(bcol0_0, k, min\(k \+ 32u, K\)\); \}/);
    expect(text('w4')).toContain('let zp0_0_0 = 8.0;');
  });
});
