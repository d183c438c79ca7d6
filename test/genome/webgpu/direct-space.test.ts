import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matmulF16Wgsl } from '../../../genome/webgpu/f16/codegen.ts';
import { MatmulF16WebgpuGenome } from '../../../genome/webgpu/f16/genome.ts';
import { f16Space } from '../../../genome/webgpu/f16/space.ts';
import { matmulI16Wgsl } from '../../../genome/webgpu/i16/codegen.ts';
import { i16Space } from '../../../genome/webgpu/i16/space.ts';
import { matmulInt8Wgsl } from '../../../genome/webgpu/int8/codegen.ts';
import { MatmulInt8WebgpuGenome, PACKED_DOT } from '../../../genome/webgpu/int8/genome.ts';
import { int8Space } from '../../../genome/webgpu/int8/space.ts';
import { matmulW4Wgsl } from '../../../genome/webgpu/w4/codegen.ts';
import { w4Space } from '../../../genome/webgpu/w4/space.ts';
import { matmulW4a8Wgsl } from '../../../genome/webgpu/w4a8/codegen.ts';
import { w4a8Space } from '../../../genome/webgpu/w4a8/space.ts';
import { Rng } from '../../../lib/rng.ts';

const lavapipe = { features: ['shader-f16', 'subgroups', 'timestamp-query'], limits: { maxComputeInvocationsPerWorkgroup: 1024 }, wgslFeatures: [PACKED_DOT] };
const plain = { features: [], limits: {} };
const shapes = fc.record({ m: fc.integer({ min: 1, max: 2048 }), n: fc.integer({ min: 1, max: 2048 }), k: fc.integer({ min: 1, max: 2048 }) });
const caps = fc.constantFrom(lavapipe, plain);

describe('the direct-tile spaces (int8, f16, w4, w4a8, i16)', () => {
  it('sample, mutate and cross only genomes that parse, pass check and generate', () => {
    fc.assert(
      fc.property(shapes, caps, fc.integer({ min: 0, max: 2 ** 31 }), (shape, c, seed) => {
        const rng = new Rng(seed);
        const int8 = int8Space(shape, c);
        const f16 = f16Space({ shape, accuracy: 'f16' }, c);
        const [a, b] = [int8.sample(rng), int8.sample(rng)];
        for (const g of [a, b, int8.mutate(a, rng), int8.crossover(a, b, rng), ...int8.seeds!()]) {
          expect(MatmulInt8WebgpuGenome.safeParse(g).success).toBe(true);
          expect(int8.check(g)).toBeNull();
          expect(() => matmulInt8Wgsl(g, shape, 'u8i8')).not.toThrow();
        }
        const i16 = i16Space(shape, 64, c);
        const [s, t] = [i16.sample(rng), i16.sample(rng)];
        for (const g of [s, t, i16.mutate(s, rng), i16.crossover(s, t, rng), ...i16.seeds!()]) {
          expect(i16.check(g)).toBeNull();
          expect(() => matmulI16Wgsl(g, { ...shape, exponentBlock: 64 })).not.toThrow();
        }
        const w4 = w4Space(shape, c);
        const [v, w] = [w4.sample(rng), w4.sample(rng)];
        for (const g of [v, w, w4.mutate(v, rng), w4.crossover(v, w, rng), ...w4.seeds!()]) {
          expect(w4.check(g)).toBeNull();
          expect(() => matmulW4Wgsl(g, { ...shape, group: 64, zeroPoint: true })).not.toThrow();
        }
        const w4a8 = w4a8Space(shape, c);
        const [p, q] = [w4a8.sample(rng), w4a8.sample(rng)];
        for (const g of [p, q, w4a8.mutate(p, rng), w4a8.crossover(p, q, rng), ...w4a8.seeds!()]) {
          expect(w4a8.check(g)).toBeNull();
          expect(() => matmulW4a8Wgsl(g, { ...shape, group: 32 })).not.toThrow();
        }
        const [x, y] = [f16.sample(rng), f16.sample(rng)];
        for (const g of [x, y, f16.mutate(x, rng), f16.crossover(x, y, rng), ...f16.seeds!()]) {
          expect(MatmulF16WebgpuGenome.safeParse(g).success).toBe(true);
          expect(f16.check(g)).toBeNull();
          expect(() => matmulF16Wgsl(g, shape)).not.toThrow();
        }
      }),
      { numRuns: 100 },
    );
  });

  it('offers dot4 and unpack (int8), dot4 (w4a8) only where the compiler has packed_4x8_integer_dot_product, and says why', () => {
    const shape = { m: 64, n: 64, k: 64 };
    const rng = new Rng(1);
    const without = int8Space(shape, plain);
    for (let i = 0; i < 100; i++) expect(without.sample(rng).instruction).toBe('bits');
    const dot4 = { ...without.sample(rng), instruction: 'dot4' as const };
    expect(without.check(dot4)).toMatch(/packed_4x8_integer_dot_product/);
    expect(without.repair(dot4)?.instruction).toBe('bits');
    expect(new Set(int8Space(shape, lavapipe).seeds!().map((g) => g.instruction))).toEqual(new Set(['dot4', 'unpack', 'bits']));
    const w4a8 = w4a8Space(shape, plain);
    expect(w4a8.check({ ...w4a8.sample(rng), instruction: 'dot4' })).toMatch(/packed_4x8_integer_dot_product/);
    expect(new Set(w4a8.seeds!().map((g) => g.instruction))).toEqual(new Set(['bits']));
    expect(new Set(w4a8Space(shape, lavapipe).seeds!().map((g) => g.instruction))).toEqual(new Set(['dot4', 'bits']));
  });

  it('i16: combines K blocks per block or per step only where the problem has block exponents, and says why', () => {
    const shape = { m: 64, n: 64, k: 64 };
    const rng = new Rng(3);
    const perTensor = i16Space(shape, undefined, plain);
    for (let i = 0; i < 100; i++) expect(perTensor.sample(rng).combine).toBe('block');
    expect(perTensor.check({ ...perTensor.sample(rng), combine: 'step' })).toMatch(/one exponent per tensor/);
    const blocked = i16Space(shape, 32, plain);
    expect(new Set(Array.from({ length: 100 }, () => blocked.sample(rng).combine))).toEqual(new Set(['block', 'step']));
    expect(new Set(Array.from({ length: 100 }, () => blocked.sample(rng).unpack))).toEqual(new Set(['shift', 'bits']));
  });

  it('keeps f16 storage off adapters without shader-f16, and f16 arithmetic off problems whose contract is f32', () => {
    const shape = { m: 64, n: 64, k: 64 };
    const rng = new Rng(2);
    const plainSpace = f16Space({ shape, accuracy: 'f16' }, plain);
    for (let i = 0; i < 100; i++) expect(plainSpace.sample(rng)).toMatchObject({ storage: 'packed', precision: 'f32' });
    expect(plainSpace.check({ ...plainSpace.sample(rng), storage: 'f16' })).toMatch(/shader-f16/);
    const strict = f16Space({ shape }, lavapipe);
    for (let i = 0; i < 100; i++) expect(strict.sample(rng).precision).toBe('f32');
    expect(strict.check({ ...strict.sample(rng), precision: 'f16' })).toMatch(/this one: f32/);
    expect(new Set(Array.from({ length: 100 }, () => f16Space({ shape, accuracy: 'f16' }, lavapipe).sample(rng).precision))).toEqual(new Set(['f32', 'f16']));
  });

  it('holds the workgroup to the adapter and the register tile to the budget', () => {
    const space = int8Space({ m: 4096, n: 4096, k: 64 }, { features: [], limits: { maxComputeInvocationsPerWorkgroup: 64 } });
    const g = space.repair({ op: 'matmul', backend: 'webgpu', family: 'int8', workgroupX: 64, workgroupY: 64, tm: 8, tn: 8, unroll: 16, instruction: 'bits' })!;
    expect(g.workgroupX * g.workgroupY).toBeLessThanOrEqual(64);
    expect(g.tm * g.tn * 4).toBeLessThanOrEqual(64);
    expect(space.check({ ...g, workgroupX: 64, workgroupY: 2 })).toMatch(/over the adapter's 64/);
  });
});
