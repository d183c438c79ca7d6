import { afterAll, beforeAll, expect, it } from 'vitest';
import { MatmulProblem, parseProblem } from '../../../genome/ops/index.ts';
import { naiveMatmulWgsl } from '../../../genome/webgpu/baseline.ts';
import { matmulWgsl } from '../../../genome/webgpu/codegen.ts';
import type { MatmulWebgpuGenome } from '../../../genome/webgpu/genome.ts';
import { GpuProcess } from '../../../worker/webgpu/process.ts';
import { evaluateGenome } from '../../../worker/evaluate-genome.ts';
import { describeGpu } from '../../worker/webgpu/support.ts';
import { wrongness } from '../../worker/webgpu/support.ts';

const problemWith = (m: number, n: number, k: number, epilogue: string[]) => MatmulProblem.parse(parseProblem({ op: 'matmul', shape: { m, n, k }, epilogue }));
const genome = (genes: Partial<MatmulWebgpuGenome>): MatmulWebgpuGenome => ({
  op: 'matmul', backend: 'webgpu', family: 'tiled', workgroupX: 8, workgroupY: 8, tm: 4, tn: 1, vec: 4,
  kTile: 16, workgroupMemory: true, doubleBuffer: false, unroll: 4, precision: 'f32', ...genes,
});

// Eight lavapipe compiles and runs a test: past vitest's 60 s on a loaded machine, and a timed-out test's request
// would still hold the GPU process the next one asks.
const GPU_TEST_MS = 240_000;

describeGpu('matmul epilogue on WebGPU', () => {
  let gpu: GpuProcess;
  beforeAll(() => {
    gpu = new GpuProcess();
  });
  afterAll(async () => {
    gpu.kill();
    await gpu.exit();
  });

  for (const stages of [['bias', 'relu'], ['bias', 'gelu', 'residual'], ['silu', 'residual']]) {
    it(`${stages.join(' -> ')}: fused before the store, one dispatch per stage, and the unfused baseline match the reference`, async () => {
      // 36 columns: wide vec4 stores; 37: lane-by-lane stores.
      for (const n of [36, 37]) {
        const problem = problemWith(29, n, 23, stages);
        for (const g of [genome({ epilogue: 'fused' }), genome({ epilogue: 'pass' }), genome({ epilogue: 'fused', vec: 1, workgroupMemory: false, kTile: 1, unroll: 1 })]) {
          expect(await wrongness(gpu, problem, matmulWgsl(g, problem), 'f32'), `${JSON.stringify(g)} n=${n}`).toBeNull();
        }
        expect(await wrongness(gpu, problem, naiveMatmulWgsl(problem), 'f32'), `baseline n=${n}`).toBeNull();
      }
    }, GPU_TEST_MS);
  }

  it('passes the whole harness (NaN through relu included) and is timed against the unfused baseline', async () => {
    const problem = problemWith(100, 70, 50, ['bias', 'relu', 'residual']);
    // One sample each: the verdicts are the point here, not how much faster it is (speed lives in bench/).
    const result = await evaluateGenome(problem, genome({ epilogue: 'fused' }), { budgets: { timingMs: 1, minSamples: 1, maxSamples: 1 } });
    expect(result.status, result.reason).toBe('ok');
    expect(result.verdicts.map((v) => v.stage)).toContain('edges');
    expect(result.timing?.speedup).toBeGreaterThan(0);
  }, GPU_TEST_MS);

  it('takes bias and R as bindings 2 and 3, and a pass as a dispatch of its own', async () => {
    const problem = problemWith(8, 8, 8, ['bias', 'relu', 'residual']);
    const kernel = matmulWgsl(genome({ epilogue: 'fused' }), problem);
    expect(kernel.wgsl).toMatch(/@binding\(2\) var<storage, read> bias: array<f32>;\n@group\(0\) @binding\(3\) var<storage, read> R: array<vec4<f32>>;\n@group\(0\) @binding\(4\) var<storage, read_write> C/);
    expect(kernel.passes).toEqual([]);
    expect(matmulWgsl(genome({ epilogue: 'pass' }), problem).passes.map((p) => [p.entry, p.dispatch])).toEqual([
      ['bias_pass', [1, 8, 1]],
      ['activation_pass', [1, 8, 1]],
      ['residual_pass', [1, 8, 1]],
    ]);
  });
});
