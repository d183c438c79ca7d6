import { afterAll, describe, expect, it } from 'vitest';
import { matmulWgsl } from '../../../genome/webgpu/codegen.ts';
import { naiveMatmulWgsl } from '../../../genome/webgpu/baseline.ts';
import type { MatmulWebgpuGenome } from '../../../genome/webgpu/genome.ts';
import { webgpuMatmulSpace } from '../../../genome/webgpu/space.ts';
import { Rng } from '../../../lib/rng.ts';
import { GpuProcess } from '../../../worker/webgpu/process.ts';
import { describeGpu, matmulProblem, wrongness } from '../../worker/webgpu/support.ts';

const genome = (genes: Partial<MatmulWebgpuGenome>): MatmulWebgpuGenome => ({
  op: 'matmul',
  backend: 'webgpu',
  family: 'tiled',
  workgroupX: 8,
  workgroupY: 8,
  tm: 4,
  tn: 1,
  vec: 4,
  kTile: 8,
  workgroupMemory: false,
  doubleBuffer: false,
  unroll: 2,
  precision: 'f32',
  ...genes,
});

/** Each exercises a different path of the generator: direct or staged loads, wide or narrow vectors, f16, partial K tiles. */
const cases: [string, MatmulWebgpuGenome][] = [
  ['direct vec4 register tile', genome({})],
  ['direct scalar, 3x5 tile, unroll 4', genome({ workgroupX: 4, workgroupY: 2, tm: 3, tn: 5, vec: 1, kTile: 4, unroll: 4 })],
  ['staged vec4', genome({ workgroupX: 4, workgroupY: 8, tm: 3, tn: 2, workgroupMemory: true, unroll: 4 })],
  ['staged, double-buffered, odd workgroup', genome({ workgroupX: 5, workgroupY: 3, tm: 2, tn: 3, vec: 1, kTile: 5, workgroupMemory: true, doubleBuffer: true, unroll: 5 })],
  ['staged vec4 double-buffered f16', genome({ workgroupX: 4, workgroupY: 4, tm: 2, tn: 2, kTile: 16, workgroupMemory: true, doubleBuffer: true, unroll: 8, precision: 'f16' })],
  ['direct vec4 f16', genome({ workgroupX: 4, workgroupY: 4, tm: 2, tn: 2, kTile: 4, precision: 'f16' })],
];

/** Odd sizes: N a multiple of 4 or not, K shorter than, equal to and past one K tile, a single element. */
const shapes = [matmulProblem(33, 37, 19), matmulProblem(17, 32, 16), matmulProblem(1, 1, 1), matmulProblem(6, 4, 70)];

describe('matmulWgsl (pure)', () => {
  it('covers the output with its tile and names the workgroup size', () => {
    const k = matmulWgsl(genome({ workgroupX: 4, workgroupY: 2, tm: 3, tn: 5, vec: 4 }), matmulProblem(100, 100, 10));
    expect(k.tile).toEqual({ rows: 6, cols: 80 });
    expect(k.workgroupSize).toEqual([4, 2, 1]);
    expect(k.wgsl).toContain('@workgroup_size(4, 2, 1)');
  });

  it('enables f16 only for f16 genomes, and declares workgroup memory only when staged', () => {
    const p = matmulProblem(64, 64, 64);
    expect(matmulWgsl(genome({ precision: 'f16' }), p).wgsl).toMatch(/^enable f16;$/m);
    expect(matmulWgsl(genome({}), p).wgsl).not.toContain('enable f16');
    expect(matmulWgsl(genome({ workgroupMemory: true }), p).wgsl).toContain('var<workgroup>');
    expect(matmulWgsl(genome({}), p).wgsl).not.toContain('var<workgroup>');
  });

  it('reads B as vectors only when every row of B starts on a vector boundary', () => {
    expect(matmulWgsl(genome({}), matmulProblem(8, 32, 8)).wgsl).toContain('B: array<vec4<f32>>');
    expect(matmulWgsl(genome({}), matmulProblem(8, 30, 8)).wgsl).toContain('B: array<f32>');
  });

  it('refuses genomes it cannot honour, naming why', () => {
    expect(() => matmulWgsl(genome({ kTile: 8, unroll: 3 }), matmulProblem(8, 8, 8))).toThrow(/unroll 3 must divide kTile 8/);
    expect(() => matmulWgsl(genome({ doubleBuffer: true }), matmulProblem(8, 8, 8))).toThrow(/doubleBuffer needs workgroupMemory/);
  });
});

describeGpu('matmulWgsl on the GPU', () => {
  const gpu = new GpuProcess();
  afterAll(async () => {
    gpu.kill();
    await gpu.exit();
  });

  // Two shapes per case, rotating, so every shape meets several paths while shader compiles (slow on lavapipe) stay few.
  const rotated = cases.map(([name, g], i) => [name, g, [shapes[i % shapes.length]!, shapes[(i + 1) % shapes.length]!]] as const);

  it.each(rotated)('%s matches the reference on odd shapes', async (_name, g, problems) => {
    for (const problem of problems) {
      expect(await wrongness(gpu, problem, matmulWgsl(g, problem), g.precision), JSON.stringify(problem.shape)).toBeNull();
    }
  });

  it('genomes sampled from the space are correct', async () => {
    const problem = matmulProblem(45, 29, 23);
    const space = webgpuMatmulSpace(problem, { features: ['shader-f16'], limits: { maxComputeWorkgroupStorageSize: 32768 } });
    const rng = new Rng(7);
    for (let i = 0; i < 3; i++) {
      const g = space.sample(rng);
      expect(await wrongness(gpu, problem, matmulWgsl(g, problem), g.precision), JSON.stringify(g)).toBeNull();
    }
  });

  it('the naive baseline is correct', async () => {
    for (const problem of shapes) expect(await wrongness(gpu, problem, naiveMatmulWgsl(problem), 'f32')).toBeNull();
  });
});
