import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KevoError } from '../../lib/errors.ts';
import { KernelResult } from '../../protocol/result.ts';
import { WasmPool } from '../../worker/pool.ts';
import { capturingLogger, levels } from '../helpers/log.ts';
import { forever, naive, sourceJob } from './jobs.ts';

describe('WasmPool', () => {
  let pool: WasmPool;
  beforeAll(async () => {
    pool = new WasmPool({ threads: 2, name: 'test-pool' });
    await pool.deviceClass();
  });
  afterAll(() => pool.close());

  it('verifies and times a correct kernel against the baseline', async () => {
    const result = KernelResult.parse(await pool.evaluate(sourceJob(naive())));
    expect(result.status).toBe('ok');
    expect(result.verdicts.every((v) => v.ok)).toBe(true);
    expect(result.timing!.speedup).toBeGreaterThan(0);
    expect(result.timing!.samples).toBeGreaterThanOrEqual(3);
    expect(result.deviceClass).toEqual(await pool.deviceClass());
    expect(result.kernel).toEqual({ language: 'wat', text: naive() });
    expect(result.worker).toMatch(/^test-pool#\d+$/);
  });

  it('kills a kernel that loops forever at its deadline, and the next job still runs', async () => {
    const result = await pool.evaluate(sourceJob(forever, { budgets: { deadlineMs: 1500, timingMs: 20, minSamples: 3, maxSamples: 8 } }));
    expect(result).toMatchObject({ status: 'timeout', stage: 'deadline' });
    expect(result.reason).toBe("the job's deadline of 1500 ms passed: its thread was killed and replaced");
    expect((await pool.evaluate(sourceJob(naive()))).status).toBe('ok');
  });

  it('reports a trap as a runtime error and a bad text as a compile error', async () => {
    const [trap, bad] = await Promise.all([pool.evaluate(sourceJob(naive({ afterLoops: 'unreachable' }))), pool.evaluate(sourceJob('(module (func $f (i32.bogus)))'))]);
    expect(trap).toMatchObject({ status: 'runtime_error', stage: 'smoke', reason: 'smoke: the kernel trapped: unreachable' });
    expect(bad).toMatchObject({ status: 'compile_error', stage: 'smoke' });
    expect(bad.reason).toMatch(/^smoke: does not assemble: .*bogus/s);
  });

  it('rejects a job that does not parse, naming the zod path', async () => {
    const job = { ...sourceJob(naive()), budgets: { deadlineMs: 5, timingMs: 20, minSamples: 3, maxSamples: 8 } };
    const error = await pool.evaluate(job).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KevoError);
    expect(error).toMatchObject({ code: 'BAD_INPUT' });
    expect((error as Error).message).toMatch(/^invalid job: budgets\.deadlineMs: /);
  });

  it('runs two jobs at once on its two threads', async () => {
    const results = await Promise.all([pool.evaluate(sourceJob(naive())), pool.evaluate(sourceJob(naive()))]);
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok']);
    expect(new Set(results.map((r) => r.worker)).size).toBe(2);
  });

  it('gives the same device class on every call', async () => {
    const device = await pool.deviceClass();
    expect(device.facts).toMatchObject({ backend: 'wasm', relaxedSimd: false });
    expect(await pool.deviceClass()).toEqual(device);
  });
});

describe('WasmPool options and lifecycle', () => {
  it('refuses a wrong thread count the way piscina does', () => {
    expect(() => new WasmPool({ threads: 0 })).toThrow(new RangeError('options.threads must be a positive integer, got 0'));
    expect(() => new WasmPool({ threads: '2' as unknown as number })).toThrow(new TypeError('options.threads must be a number, got string'));
  });

  it('answers a job whose thread goes away under it with a runtime error', async () => {
    const pool = new WasmPool({ threads: 1 });
    await pool.deviceClass();
    const running = pool.evaluate(sourceJob(forever));
    await pool.close();
    const result = await running;
    expect(result).toMatchObject({ status: 'runtime_error', stage: 'worker' });
    expect(result.reason).toMatch(/^the worker thread failed: /);
  });

  it('logs a deadline kill and a thread crash with the job id, to the logger it was given', async () => {
    const { log, lines } = capturingLogger();
    const pool = new WasmPool({ threads: 1, log });
    const budgets = { deadlineMs: 1500, timingMs: 20, minSamples: 3, maxSamples: 8 };
    const killed = sourceJob(forever, { budgets });
    expect((await pool.evaluate(killed)).status).toBe('timeout');
    const crashed = sourceJob(forever);
    const running = pool.evaluate(crashed);
    await pool.close();
    expect((await running).status).toBe('runtime_error');
    expect(lines).toContainEqual(
      expect.objectContaining({ level: levels.warn, backend: 'wasm', jobId: killed.jobId, deadlineMs: 1500, msg: expect.stringMatching(/deadline .* killed/) }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ level: levels.error, backend: 'wasm', jobId: crashed.jobId, msg: 'the thread running the job failed' }));
  });

  it('closes twice without complaint and refuses jobs after', async () => {
    const pool = new WasmPool({ threads: 1 });
    await Promise.all([pool.close(), pool.close()]);
    await expect(pool.evaluate(sourceJob(naive()))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
