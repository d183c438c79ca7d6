import { describe, expect, it } from 'vitest';
import { exportKernel } from '../../export/index.ts';
import { KevoError } from '../../lib/errors.ts';
import { gpuDevice, job, okResult, problem64, webgpuGenome } from '../coordinator/store/results.ts';
import { useTempStore } from '../coordinator/store/temp-store.ts';

const t = useTempStore();

describe('export keeps the accuracy contract', () => {
  it('refuses an f16 kernel of an f32 problem, naming both, and exports the f32 one', async () => {
    t.store.createCampaign({ id: 'c', spec: {}, strategy: 'random' });
    const f16 = job('j-f16', 'c', { ...webgpuGenome(2), precision: 'f16' }, problem64);
    const f32 = job('j-f32', 'c', webgpuGenome(2), problem64);
    for (const j of [f16, f32]) t.store.recordJob(j);
    t.store.ingest(okResult(f16, { medianMs: 1, device: gpuDevice, text: 'enable f16;\n// fast' }));
    t.store.ingest(okResult(f32, { medianMs: 2, device: gpuDevice, text: '// exact' }));
    const [f16Kernel, f32Kernel] = [f16, f32].map((j) => t.store.evaluations('c').find((e) => e.jobId === j.jobId)!.kernelId!);

    const refused = await exportKernel(t.store, f16Kernel!, `${t.dir}/f16`).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(KevoError);
    expect(refused).toMatchObject({ code: 'BAD_INPUT', message: `kernel ${f16Kernel} computes in f16, which breaks its problem's f32 accuracy contract` });
    expect(await exportKernel(t.store, f32Kernel!, `${t.dir}/f32`)).toContain('meta.json');
    expect(t.store.best(problem64).map((r) => r.kernelId)).toEqual([f32Kernel]);
  });
});
