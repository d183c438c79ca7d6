import { beforeEach, describe, expect, it } from 'vitest';
import { genomeHash } from '../../../genome/genome.ts';
import { kernelId } from '../../../coordinator/store/kernel-id.ts';
import {
  cpuDevice,
  gpuDevice,
  job,
  okResult,
  otherCpuDevice,
  problem512,
  problem64,
  rejectedResult,
  wasmGenome,
  webgpuGenome,
} from './results.ts';
import { useTempStore } from './temp-store.ts';

const t = useTempStore();

beforeEach(() => {
  for (const id of ['a', 'b']) t.store.createCampaign({ id, spec: {}, strategy: 'random' });
});

describe('cached', () => {
  it('finds an evaluation of the genome on that problem and device, from any campaign', () => {
    const genome = wasmGenome(2);
    t.store.ingest(okResult(job('j1', 'a', genome), { medianMs: 3 }));
    const hit = t.store.cached(problem512, genomeHash(genome), cpuDevice.id);
    expect(hit).toMatchObject({ jobId: 'j1', campaignId: 'a', status: 'ok', genome });
    expect(t.store.cached(problem64, genomeHash(genome), cpuDevice.id)).toBeUndefined();
    expect(t.store.cached(problem512, genomeHash(genome), otherCpuDevice.id)).toBeUndefined();
    expect(t.store.cached(problem512, genomeHash(wasmGenome(3)), cpuDevice.id)).toBeUndefined();
  });

  it('returns a failure too, but an ok evaluation over it', () => {
    const genome = wasmGenome(2);
    t.store.ingest(rejectedResult(job('j1', 'a', genome)));
    expect(t.store.cached(problem512, genomeHash(genome), cpuDevice.id)?.status).toBe('rejected');
    t.store.ingest(okResult(job('j2', 'b', genome), { medianMs: 3 }));
    t.store.ingest(rejectedResult(job('j3', 'b', genome)));
    expect(t.store.cached(problem512, genomeHash(genome), cpuDevice.id)?.jobId).toBe('j2');
  });
});

describe('best', () => {
  function ingestMix() {
    t.store.ingest(okResult(job('slow', 'a', wasmGenome(1)), { medianMs: 8 }));
    t.store.ingest(okResult(job('fast', 'a', wasmGenome(2)), { medianMs: 2 }));
    t.store.ingest(okResult(job('mid', 'b', wasmGenome(3)), { medianMs: 4, device: otherCpuDevice }));
    t.store.ingest(okResult(job('gpu', 'b', webgpuGenome(2)), { medianMs: 3, device: gpuDevice }));
    t.store.ingest(rejectedResult(job('wrong', 'a', wasmGenome(4))));
    t.store.ingest(okResult(job('small', 'a', wasmGenome(1), problem64), { medianMs: 0.1 }));
  }

  it('lists ok kernels of the problem, best first, with device and campaign', () => {
    ingestMix();
    const rows = t.store.best(problem512);
    expect(rows.map((r) => r.jobId)).toEqual(['fast', 'gpu', 'mid', 'slow']);
    expect(rows[0]).toMatchObject({
      kernelId: kernelId(okResult(job('fast', 'a', wasmGenome(2)), { medianMs: 2 }).kernel!),
      language: 'wat',
      campaignId: 'a',
      genome: wasmGenome(2),
      genomeHash: genomeHash(wasmGenome(2)),
      backend: 'wasm',
      problem: problem512,
      medianMs: 2,
      speedup: 5,
      gflops: 268.435456 / 2,
      deviceClass: { id: cpuDevice.id, label: cpuDevice.label },
    });
    expect(rows[1]).toMatchObject({ backend: 'webgpu', language: 'wgsl', deviceClass: { id: gpuDevice.id, label: 'lavapipe' } });
  });

  it('shows each kernel measured error beside its speed, none for results that carried none', () => {
    const measuredError = { ofTolerance: 0.25, maxAbs: 3e-6, maxRel: 1e-5, elements: 900 };
    t.store.ingest(okResult(job('measured', 'a', wasmGenome(1)), { medianMs: 2, measuredError }));
    t.store.ingest(okResult(job('older', 'a', wasmGenome(2)), { medianMs: 3 }));
    expect(t.store.best(problem512).map((r) => [r.jobId, r.measuredError])).toEqual([
      ['measured', measuredError],
      ['older', undefined],
    ]);
    expect(t.store.kernel(t.store.best(problem512)[0]!.kernelId)?.evaluation?.measuredError).toEqual(measuredError);
  });

  it('ranks by speedup over the baseline timed in the same job, not by milliseconds', () => {
    t.store.ingest(okResult(job('fewer-ms', 'a', wasmGenome(1)), { medianMs: 2, baselineMedianMs: 4, device: otherCpuDevice }));
    t.store.ingest(okResult(job('higher-speedup', 'a', wasmGenome(2)), { medianMs: 5, baselineMedianMs: 20 }));
    expect(t.store.best(problem512).map((r) => [r.jobId, r.speedup])).toEqual([
      ['higher-speedup', 4],
      ['fewer-ms', 2],
    ]);
  });

  it('filters by device class and backend, and limits', () => {
    ingestMix();
    expect(t.store.best(problem512, { deviceClassId: cpuDevice.id }).map((r) => r.jobId)).toEqual(['fast', 'slow']);
    expect(t.store.best(problem512, { backend: 'webgpu' }).map((r) => r.jobId)).toEqual(['gpu']);
    expect(t.store.best(problem512, { backend: 'wasm', limit: 2 }).map((r) => r.jobId)).toEqual(['fast', 'mid']);
    expect(t.store.best(problem64).map((r) => r.jobId)).toEqual(['small']);
    expect(t.store.best(problem512, { deviceClassId: 'none' })).toEqual([]);
  });

  it('gives one row per kernel: its best evaluation', () => {
    const text = '(module ;; shared)';
    t.store.ingest(okResult(job('j1', 'a', wasmGenome(1)), { medianMs: 6, text }));
    t.store.ingest(okResult(job('j2', 'b', wasmGenome(2)), { medianMs: 3, text }));
    t.store.ingest(okResult(job('j3', 'b', wasmGenome(3)), { medianMs: 4 }));
    expect(t.store.best(problem512).map((r) => [r.jobId, r.medianMs])).toEqual([
      ['j2', 3],
      ['j3', 4],
    ]);
  });
});

describe('kernel', () => {
  it('gives source, best evaluation and the device class with its facts', () => {
    const text = '(module ;; shared)';
    t.store.ingest(rejectedResult(job('bad', 'a', wasmGenome(4))));
    t.store.ingest(okResult(job('j1', 'a', wasmGenome(1)), { medianMs: 6, text }));
    t.store.ingest(okResult(job('j2', 'b', wasmGenome(2)), { medianMs: 3, text, device: otherCpuDevice }));
    const kernel = t.store.kernel(kernelId({ language: 'wat', text }))!;
    expect(kernel).toMatchObject({ language: 'wat', text, deviceClass: otherCpuDevice });
    expect(kernel.evaluation).toMatchObject({ jobId: 'j2', genome: wasmGenome(2), problem: problem512, status: 'ok' });
    expect(kernel.evaluation?.timing?.medianMs).toBe(3);
    expect(t.store.kernel('0000000000000000')).toBeUndefined();
  });

  it('shows a kernel that never passed with its failing evaluation', () => {
    const result = rejectedResult(job('bad', 'a', wasmGenome(4)));
    t.store.ingest(result);
    const kernel = t.store.kernel(kernelId(result.kernel!))!;
    expect(kernel.evaluation).toMatchObject({ status: 'rejected', stage: 'numerical' });
  });
});

describe('resolving short ids', () => {
  it('finds a device class by unique prefix, and says when a prefix is ambiguous or matches nothing', () => {
    for (const d of [cpuDevice, otherCpuDevice, gpuDevice]) t.store.recordDevice(d);
    expect(t.store.resolveDevice('a1')).toEqual(gpuDevice);
    expect(t.store.resolveDevice(cpuDevice.id)).toEqual(cpuDevice);
    expect(() => t.store.resolveDevice('c0ffee')).toThrow(
      expect.objectContaining({ code: 'BAD_INPUT', message: expect.stringContaining(otherCpuDevice.id) }),
    );
    expect(() => t.store.resolveDevice('ff')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(() => t.store.resolveDevice('')).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(() => t.store.resolveDevice('%')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('finds a kernel by unique prefix', () => {
    const result = okResult(job('j1', 'a', wasmGenome(1)), { medianMs: 2 });
    t.store.ingest(result);
    const id = kernelId(result.kernel!);
    expect(t.store.resolveKernel(id.slice(0, 6))).toMatchObject({ id, text: result.kernel!.text });
    expect(() => t.store.resolveKernel('zz')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('lists devices in the order first seen', () => {
    t.store.recordDevice(cpuDevice);
    t.store.recordDevice(gpuDevice);
    t.store.recordDevice({ ...cpuDevice, label: 'renamed' });
    expect(t.store.devices()).toEqual([cpuDevice, gpuDevice]);
  });
});
