import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Evaluator } from '../../worker/evaluator.ts';
import { capturingLogger, levels } from '../helpers/log.ts';
import { naive, sourceJob } from './jobs.ts';

describe('Evaluator', () => {
  let evaluator: Evaluator;
  const captured = capturingLogger();
  beforeAll(async () => {
    evaluator = await Evaluator.create({ threads: 1, name: 'test-worker', log: captured.log });
  });
  afterAll(() => evaluator.close());

  it('routes a wasm job to the wasm pool', async () => {
    expect(evaluator.backends).toEqual(['wasm']);
    const job = sourceJob(naive());
    expect((await evaluator.evaluate(job)).status).toBe('ok');
    expect(captured.lines).toContainEqual(expect.objectContaining({ level: levels.debug, jobId: job.jobId, status: 'ok', msg: 'evaluated' }));
  });

  it('answers a job for a backend it does not run with status unsupported', async () => {
    const job = { ...sourceJob(naive()), genome: { backend: 'webgpu' as const, family: 'source' as const, language: 'wgsl' as const, text: 'fn main() {}' } };
    expect(await evaluator.evaluate(job)).toMatchObject({ status: 'unsupported', stage: 'backend', reason: 'this worker runs wasm jobs, not webgpu', worker: 'test-worker' });
  });

  it('answers a job meant for another device class with status unsupported', async () => {
    const [device] = await evaluator.deviceClasses();
    const result = await evaluator.evaluate(sourceJob(naive(), { deviceClassId: 'elsewhere' }));
    expect(result).toMatchObject({ status: 'unsupported', stage: 'backend' });
    expect(result.reason).toContain(`this worker's wasm device class is ${device!.id}`);
  });

  it('refuses a problem past wasm32 memory with status unsupported naming the limit, before compiling anything', async () => {
    const job = sourceJob(naive(), { problem: { op: 'matmul', shape: { m: 65536, n: 65536, k: 65536 }, dtype: 'f32' } });
    const result = await evaluator.evaluate(job);
    expect(result).toMatchObject({ status: 'unsupported', stage: 'limits' });
    expect(result.reason).toMatch(/problem too big for this wasm device: needs 80 GiB of WASM memory .*wasm32 holds at most 4 GiB/);
  });

  it('closes twice without complaint', async () => {
    const other = await Evaluator.create({ threads: 1 });
    await Promise.all([other.close(), other.close()]);
    await expect(other.evaluate(sourceJob(naive()))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
