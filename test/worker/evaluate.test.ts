import { describe, expect, it } from 'vitest';
import { defaultWasmGenome } from '../../genome/wasm/baseline.ts';
import { KernelResult } from '../../protocol/result.ts';
import { cpuDeviceClass } from '../../worker/device.ts';
import { evaluateKernel } from '../../worker/evaluate.ts';
import { evaluateWasmJob } from '../../worker/wasm/job.ts';
import { wasmKernel } from '../../worker/wasm/kernel.ts';
import { naive, problem, sourceJob } from './jobs.ts';
import { HARNESS_VERSION } from '../../verifiers/version.ts';

const context = async () => ({ device: await cpuDeviceClass(), worker: 'test' });

describe('evaluateWasmJob', () => {
  it('generates, verifies and times a tiled genome, checking the edge shapes too', async () => {
    const job = { ...sourceJob('unused'), genome: defaultWasmGenome(problem) };
    const result = KernelResult.parse(await evaluateWasmJob(job, await context()));
    expect(result.status).toBe('ok');
    expect(result.verdicts.map((v) => v.stage)).toEqual(['smoke', 'shapes', 'numerics', 'determinism', 'edges', 'loophole', 'spotcheck', 'spotcheck']);
    expect(result.timing!.gflops).toBeGreaterThan(0);
    expect(result.measuredError!.ofTolerance).toBeGreaterThan(0);
    expect(result.measuredError!.ofTolerance).toBeLessThanOrEqual(1);
    expect(result.measuredError!.maxAbs).toBeGreaterThan(0);
    expect(result.kernel!.language).toBe('wat');
  });

  it('with verifyOnly, runs the harness and one spot check and takes no timing (kevo reverify)', async () => {
    const job = { ...sourceJob('unused'), genome: defaultWasmGenome(problem), verifyOnly: true };
    const result = KernelResult.parse(await evaluateWasmJob(job, await context()));
    expect(result).toMatchObject({ status: 'ok', harnessVersion: HARNESS_VERSION });
    expect(result.verdicts.map((v) => v.stage)).toEqual(['smoke', 'shapes', 'numerics', 'determinism', 'edges', 'loophole', 'spotcheck']);
    expect(result.timing).toBeUndefined();
    expect(result.measuredError!.ofTolerance).toBeLessThanOrEqual(1);
  });

  it('says unsupported for an fma genome where relaxed SIMD is off', async () => {
    const job = { ...sourceJob('unused'), genome: { ...defaultWasmGenome(problem), fma: true } };
    const ctx = await context();
    const result = await evaluateWasmJob(job, { ...ctx, device: { ...ctx.device, facts: { ...ctx.device.facts, relaxedSimd: false } } });
    expect(result).toMatchObject({ status: 'unsupported', stage: 'device' });
    expect(result.reason).toMatch(/relaxed SIMD is off/);
  });

  it('says unsupported for a genome of another backend', async () => {
    const job = { ...sourceJob('unused'), genome: { op: 'matmul', backend: 'webgpu' as const, family: 'source' as const, language: 'wgsl' as const, text: 'fn main() {}' } };
    expect(await evaluateWasmJob(job, await context())).toMatchObject({ status: 'unsupported', reason: 'a webgpu genome cannot run on a wasm worker' });
  });
});

describe('evaluateKernel', () => {
  it('rejects a kernel that cheats only after it has been called many times, through the spot check', async () => {
    // Correct for its first 40 calls (more than the stages make), then stops writing C's first row.
    const cheat = naive()
      .replace('(func (export "matmul")', '(global $calls (mut i32) (i32.const 0))\n  (func (export "matmul")')
      .replace(
        '(local $acc f32)',
        `(local $acc f32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (if (i32.gt_u (global.get $calls) (i32.const 40)) (then (local.set $i (i32.const 1))))`,
      );
    const job = sourceJob(cheat, { budgets: { deadlineMs: 30_000, timingMs: 20, minSamples: 50, maxSamples: 60 } });
    const result = await evaluateKernel({
      job,
      build: (p) => wasmKernel(p, cheat),
      buildBaseline: (p) => wasmKernel(p, naive()),
      device: (await context()).device,
      source: { language: 'wat', text: cheat },
      worker: 'test',
      precision: 'f32',
      edgeShapes: false,
    });
    expect(result).toMatchObject({ status: 'rejected', stage: 'spotcheck' });
    expect(result.reason).toMatch(/^spotcheck \(after (warm-up|timing)\): \d+ of 192 elements of C were never written, first C\[0,/);
    expect(result.timing).toBeUndefined();
  });
});
