import { afterAll, expect, it } from 'vitest';
import { familyFor } from '../../../genome/families/registry.ts';
import { parseProblem } from '../../../genome/ops/index.ts';
import type { MatmulProblem } from '../../../genome/ops/matmul-problem.ts';
import { Rng } from '../../../lib/rng.ts';
import { formats, randomInputs } from '../../../verifiers/inputs.ts';
import { GpuProcess } from '../../../worker/webgpu/process.ts';
import { describeGpu, wrongness } from '../../worker/webgpu/support.ts';

describeGpu('the WebGPU i16 baseline with a requantized output (three dispatches: clear, shift, store)', () => {
  const gpu = new GpuProcess();
  afterAll(async () => {
    gpu.kill();
    await gpu.exit();
  });

  // The seeds go through the whole harness in quant-families.test.ts; the baseline, a launch with passes, cannot travel as a source genome.
  it.each([[{}], [{ exponentBlock: 32 }]])('%j: C and c_shift bit exact on full-range inputs, odd N (two threads share a word of C)', async (extra) => {
    const problem = parseProblem({ op: 'matmul', shape: { m: 37, n: 53, k: 40 }, dtype: 'i16', output: 'i16', ...extra }) as MatmulProblem;
    const code = familyFor('matmul', 'webgpu', 'i16').baseline(problem);
    if (code.launch.backend !== 'webgpu') throw new Error('a WebGPU family gave a WASM launch');
    const inputs = randomInputs(problem, 'uniform', new Rng(3), formats.f32);
    expect(await wrongness(gpu, problem, { wgsl: code.text, tile: code.launch.tile, passes: code.launch.passes }, 'f32', 3, inputs)).toBeNull();
  }, 60_000);
});
