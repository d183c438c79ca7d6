import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matmulWgsl, workgroupBytes } from '../../../genome/webgpu/codegen.ts';
import { MatmulWebgpuGenome } from '../../../genome/webgpu/genome.ts';
import { webgpuMatmulSpace } from '../../../genome/webgpu/space.ts';
import { Rng } from '../../../lib/rng.ts';
import type { MatmulProblem } from '../../../genome/ops/matmul-problem.ts';

const matmulProblem = (m: number, n: number, k: number): MatmulProblem => ({ op: 'matmul', shape: { m, n, k }, dtype: 'f32' });

const lavapipe = { features: ['shader-f16', 'subgroups', 'timestamp-query'], limits: { maxComputeInvocationsPerWorkgroup: 1024, maxComputeWorkgroupStorageSize: 32768 } };
const plain = { features: [], limits: {} };

const shapes = fc.record({ m: fc.integer({ min: 1, max: 2048 }), n: fc.integer({ min: 1, max: 2048 }), k: fc.integer({ min: 1, max: 2048 }) });
const caps = fc.constantFrom(lavapipe, plain);

describe('webgpuMatmulSpace', () => {
  it('samples, mutates and crosses only genomes that parse, pass check and generate', () => {
    fc.assert(
      fc.property(shapes, caps, fc.integer({ min: 0, max: 2 ** 31 }), ({ m, n, k }, c, seed) => {
        const problem = matmulProblem(m, n, k);
        const space = webgpuMatmulSpace(problem, c);
        const rng = new Rng(seed);
        const a = space.sample(rng);
        const b = space.sample(rng);
        for (const g of [a, b, space.mutate(a, rng), space.crossover(a, b, rng)]) {
          expect(MatmulWebgpuGenome.safeParse(g).success).toBe(true);
          expect(space.check(g)).toBeNull();
          expect(() => matmulWgsl(g, problem)).not.toThrow();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('keeps f16 off adapters without shader-f16, and says why', () => {
    const problem = matmulProblem(256, 256, 256);
    const space = webgpuMatmulSpace(problem, plain);
    const rng = new Rng(3);
    for (let i = 0; i < 200; i++) expect(space.sample(rng).precision).toBe('f32');
    const f16 = { ...space.sample(rng), precision: 'f16' as const };
    expect(space.check(f16)).toMatch(/shader-f16/);
    expect(space.repair(f16)?.precision).toBe('f32');
    const allowsF16 = { ...problem, accuracy: 'f16' as const };
    expect(new Set(Array.from({ length: 200 }, () => webgpuMatmulSpace(allowsF16, lavapipe).sample(rng).precision))).toEqual(new Set(['f32', 'f16']));
  });

  it('never offers f16 for a problem whose accuracy contract is f32, even where the adapter has it', () => {
    const problem = matmulProblem(256, 256, 256);
    const space = webgpuMatmulSpace(problem, lavapipe);
    const rng = new Rng(5);
    for (let i = 0; i < 200; i++) expect(space.sample(rng).precision).toBe('f32');
    expect(space.check({ ...space.sample(rng), precision: 'f16' })).toMatch(/accuracy contract allows it \(this one: f32\)/);
  });

  it('holds workgroup size and workgroup memory to the adapter limits', () => {
    const problem = matmulProblem(1024, 1024, 1024);
    const small = { features: [], limits: { maxComputeInvocationsPerWorkgroup: 64, maxComputeWorkgroupStorageSize: 4096 } };
    const space = webgpuMatmulSpace(problem, small);
    const rng = new Rng(11);
    for (let i = 0; i < 300; i++) {
      const g = space.sample(rng);
      expect(g.workgroupX * g.workgroupY).toBeLessThanOrEqual(64);
      expect(workgroupBytes(g, problem.shape.k)).toBeLessThanOrEqual(4096);
    }
    const big = { ...space.sample(rng), workgroupX: 16, workgroupY: 16 };
    expect(space.check(big)).toMatch(/256 threads, over the adapter's 64/);
  });

  it('expresses the hand-written 8x8-workgroup 4x4 vec4 kernel', () => {
    const handWritten: MatmulWebgpuGenome = {
      op: 'matmul',
      backend: 'webgpu', family: 'tiled', workgroupX: 8, workgroupY: 8, tm: 4, tn: 1, vec: 4,
      kTile: 4, workgroupMemory: false, doubleBuffer: false, unroll: 4, precision: 'f32',
    };
    expect(webgpuMatmulSpace(matmulProblem(512, 512, 512), lavapipe).check(handWritten)).toBeNull();
  });

  it('explains what is wrong with a genome outside the space', () => {
    const space = webgpuMatmulSpace(matmulProblem(8, 8, 8), lavapipe);
    const g = space.sample(new Rng(1));
    expect(space.check({ ...g, tm: 8, tn: 8, vec: 4 })).toMatch(/accumulators/);
    expect(space.check({ ...g, kTile: 8, unroll: 3 })).toMatch(/unroll 3 must divide kTile 8/);
    expect(space.check({ ...g, workgroupX: 64, workgroupY: 1, tn: 1, vec: 1 })).toMatch(/columns is bigger than N 8 needs/);
  });

  it('gives descriptors by precision, tile size and staging', () => {
    const space = webgpuMatmulSpace(matmulProblem(512, 512, 512), lavapipe);
    const g = space.sample(new Rng(5));
    expect(space.descriptor({ ...g, precision: 'f16', workgroupMemory: true })).toEqual(expect.arrayContaining(['f16', 'staged']));
  });
});
