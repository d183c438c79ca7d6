import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Genome } from '../../../genome/genome.ts';
import type { MatmulWebgpuGenome } from '../../../genome/webgpu/genome.ts';
import { PROTOCOL_VERSION, type KernelJob } from '../../../protocol/job.ts';
import { WebgpuRunner } from '../../../worker/webgpu/runner.ts';
import { capturingLogger, levels } from '../../helpers/log.ts';
import { hostile, naiveWgsl, wgslSource } from './hostile.ts';
import { availability, describeGpu, matmulProblem } from './support.ts';

const problem = matmulProblem(24, 20, 12);
const quick = { deadlineMs: 60_000, timingMs: 30, minSamples: 2, maxSamples: 4 };
let jobs = 0;
const job = (genome: Genome, budgets: Partial<KernelJob['budgets']> = {}): KernelJob => ({
  v: PROTOCOL_VERSION,
  kind: 'kernel',
  jobId: `webgpu-${++jobs}`,
  campaignId: 'test',
  problem,
  genome,
  seed: jobs,
  budgets: { ...quick, ...budgets },
});

const tiled: MatmulWebgpuGenome = {
  op: 'matmul',
  backend: 'webgpu',
  family: 'tiled',
  workgroupX: 4,
  workgroupY: 4,
  tm: 2,
  tn: 1,
  vec: 4,
  kTile: 4,
  workgroupMemory: true,
  doubleBuffer: true,
  unroll: 2,
  precision: 'f32',
};

describeGpu('WebgpuRunner', () => {
  let runner: WebgpuRunner;
  const captured = capturingLogger();
  beforeAll(async () => {
    runner = await WebgpuRunner.start({ name: 'test-gpu', log: captured.log });
  });
  afterAll(() => runner?.close());

  it('reports the adapter as a webgpu device class', async () => {
    const device = await runner.deviceClass();
    expect(device.facts.backend).toBe('webgpu');
    expect(device).toEqual(availability.ok ? availability.device : undefined);
  });

  it('verifies and times a generated kernel against the baseline', async () => {
    const result = await runner.evaluate(job(tiled));
    expect(result.reason).toBeUndefined();
    expect(result.status).toBe('ok');
    expect(result.verdicts.map((v) => v.stage)).toEqual(expect.arrayContaining(['smoke', 'shapes', 'numerics', 'loophole']));
    expect(result.timing!.speedup).toBeGreaterThan(0);
    expect(result.kernel?.language).toBe('wgsl');
    expect(result.worker).toBe('test-gpu');
  });

  it('rejects a kernel that writes nothing, in the smoke stage', async () => {
    const result = await runner.evaluate(job(wgslSource(hostile.writesNothing(problem))));
    expect(result.status).toBe('rejected');
    expect(result.stage).toBe('smoke');
    expect(result.reason).toMatch(/C was never written/);
  });

  it('rejects a kernel that writes half of C, naming how much is missing', async () => {
    const result = await runner.evaluate(job(wgslSource(hostile.writesHalf(problem))));
    expect(result.status).toBe('rejected');
    expect(result.reason).toMatch(/240 of 480 elements of C were never written/);
  });

  it('rejects a kernel whose out-of-bounds reads robust access turned into wrong numbers', async () => {
    const result = await runner.evaluate(job(wgslSource(hostile.readsOutOfBounds(problem))));
    expect(result.status).toBe('rejected');
    // The first stage that compares with the reference catches it: the problem's own shape.
    expect(result.stage).toMatch(/shapes|numerics/);
    expect(result.reason).toMatch(/but expected/);
  });

  it('reports a kernel that does not compile with the WGSL compiler message', async () => {
    const result = await runner.evaluate(job(wgslSource(hostile.doesNotCompile(problem))));
    expect(result.status).toBe('compile_error');
    expect(result.reason).toMatch(/wgsl:\d+:\d+: .*abstract-float.*i32/);
  });

  it('kills a kernel that never ends at the deadline, then runs the next job in a fresh process', async () => {
    const timedOut = await runner.evaluate(job(wgslSource(hostile.loopsForever(problem)), { deadlineMs: 4000 }));
    expect(timedOut.status).toBe('timeout');
    expect(timedOut.reason).toMatch(/deadline of 4000 ms/);
    const next = await runner.evaluate(job(wgslSource(naiveWgsl(problem))));
    expect(next.status).toBe('ok');
    expect(captured.lines).toContainEqual(
      expect.objectContaining({ level: levels.warn, backend: 'webgpu', jobId: timedOut.jobId, deadlineMs: 4000, msg: 'GPU job past its deadline: killed its process' }),
    );
    expect(captured.lines).toContainEqual(expect.objectContaining({ level: levels.info, backend: 'webgpu', msg: 'GPU process restarted after the last one was killed or died' }));
  });

  it('reports a WGSL source without a tile as a compile error that says what is missing', async () => {
    const { tile: _tile, ...untiled } = wgslSource(naiveWgsl(problem));
    const result = await runner.evaluate(job(untiled));
    expect(result.status).toBe('compile_error');
    expect(result.reason).toMatch(/must say the output tile/);
  });

  it('says unsupported for a genome of another backend', async () => {
    const wasm = { op: 'matmul', backend: 'wasm', family: 'source', language: 'wat', text: '(module)' } as const;
    const result = await runner.evaluate(job(wasm));
    expect(result.status).toBe('unsupported');
  });

  it('replaces its GPU process after recycleAfter jobs and keeps going', async () => {
    const { log, lines } = capturingLogger();
    const recycling = await WebgpuRunner.start({ recycleAfter: 1, log });
    try {
      for (let i = 0; i < 2; i++) expect((await recycling.evaluate(job(wgslSource(naiveWgsl(problem))))).status).toBe('ok');
      expect(lines.filter((l) => l.msg === 'GPU process recycled: started a fresh one')).toHaveLength(1);
    } finally {
      await recycling.close();
    }
  });

  it('runs fresh() work on a runner of its own, closed after, while its own jobs wait their turn', async () => {
    const order: string[] = [];
    let waiting: Promise<unknown> | undefined;
    const fresh = await runner.fresh(async (own) => {
      expect(own).not.toBe(runner);
      waiting = runner.evaluate(job(wgslSource(naiveWgsl(problem)))).then(() => order.push('warm'));
      expect((await own.evaluate(job(wgslSource(naiveWgsl(problem))))).status).toBe('ok');
      order.push('fresh');
      return own;
    });
    await waiting;
    expect(order).toEqual(['fresh', 'warm']);
    await expect(fresh.evaluate(job(tiled))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('rejects a malformed job and refuses work after close', async () => {
    await expect(runner.evaluate({ ...job(tiled), seed: -1 })).rejects.toMatchObject({ code: 'BAD_INPUT' });
    const other = await WebgpuRunner.start();
    await other.close();
    await other.close();
    await expect(other.evaluate(job(tiled))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
