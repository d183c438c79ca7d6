import { expect, it } from 'vitest';
import { GpuProcess } from '../../../worker/webgpu/process.ts';
import { hostile } from './hostile.ts';
import { describeGpu, matmulProblem, normalInputs } from './support.ts';

describeGpu('GpuProcess', () => {
  it('reports a child killed mid-request as an exit with the signal, and this process lives on', async () => {
    const problem = matmulProblem(16, 16, 8);
    const gpu = new GpuProcess();
    const kernel = { wgsl: hostile.loopsForever(problem), tile: { rows: 16, cols: 16 } };
    expect(await gpu.request({ type: 'probe' }, 30_000)).toMatchObject({ kind: 'reply' });
    const pending = gpu.request({ type: 'run', problem, ...kernel, inputs: normalInputs(problem, 1) }, 60_000);
    process.kill(gpu.pid!, 'SIGKILL');
    const outcome = await pending;
    expect(outcome).toEqual({ kind: 'exit', reason: expect.stringMatching(/GPU process exited \(SIGKILL\)/) });
    expect(gpu.alive).toBe(false);
    expect(await gpu.request({ type: 'probe' }, 1000)).toMatchObject({ kind: 'exit' });
  });

  it('times out a request past its deadline and kills the child', async () => {
    const problem = matmulProblem(16, 16, 8);
    const gpu = new GpuProcess();
    const kernel = { wgsl: hostile.loopsForever(problem), tile: { rows: 16, cols: 16 } };
    expect(await gpu.request({ type: 'probe' }, 30_000)).toMatchObject({ kind: 'reply' });
    expect(await gpu.request({ type: 'run', problem, ...kernel, inputs: normalInputs(problem, 1) }, 1500)).toEqual({ kind: 'timeout' });
    await gpu.exit();
    expect(gpu.alive).toBe(false);
  });
});
