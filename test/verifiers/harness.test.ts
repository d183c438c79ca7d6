import { describe, expect, it } from 'vitest';
import type { Problem } from '../../genome/ops/problem.ts';
import type { MatmulProblem } from '../../genome/ops/matmul-problem.ts';
import { verify, STAGES } from '../../verifiers/harness.ts';
import type { KernelBuilder } from '../../verifiers/kernel.ts';
import { wasmKernel } from '../../worker/wasm/kernel.ts';
import { naiveMatmulWat } from '../../testkit/naive-wat.ts';

const problem: MatmulProblem = { op: 'matmul', shape: { m: 24, n: 20, k: 16 }, dtype: 'f32' };
type Hooks = Parameters<typeof naiveMatmulWat>[1];

/** A builder for every shape the sweep asks for, with the same misbehaviour spliced into each. */
const naive =
  (hooks: Hooks = {}, wrap: (wat: string) => string = (w) => w): KernelBuilder =>
  (p: Problem) =>
    wasmKernel(p, wrap(naiveMatmulWat(p as MatmulProblem, hooks)));

const opts = { seed: 7, precision: 'f32' as const };

/** Stores C[i,j] into a cache region of the workspace and returns it while A[0] is unchanged. */
function cachedByFirstElement(wat: string): string {
  return wat
    .replace('(local $acc f32)', `(local $acc f32) (local $q i32)
    (if (i32.and (global.get $valid) (f32.eq (f32.load (local.get $a)) (global.get $key)))
      (then (memory.copy (local.get $c) (local.get $ws) (global.get $bytes)) (return)))`)
    .replace('(func (export "matmul")', `(global $valid (mut i32) (i32.const 0))
  (global $key (mut f32) (f32.const 0))
  (global $bytes (mut i32) (i32.const 0))
  (func (export "matmul")`)
    .replace(/\)\)$/, `
    (memory.copy (local.get $ws) (local.get $c) (i32.shl (i32.mul (local.get $i) (i32.const ${problem.shape.n})) (i32.const 2)))
    (global.set $key (f32.load (local.get $a)))
    (global.set $bytes (i32.shl (i32.mul (local.get $i) (i32.const ${problem.shape.n})) (i32.const 2)))
    (global.set $valid (i32.const 1))))`);
}

describe('verify', () => {
  it('passes a correct kernel through every stage and hands back its kernel', async () => {
    const result = await verify(naive(), problem, opts);
    expect(result.failure).toBeUndefined();
    expect(result.verdicts.map((v) => v.stage)).toEqual([...STAGES]);
    expect(result.verdicts.every((v) => v.ok)).toBe(true);
    expect(result.kernel?.problem).toEqual(problem);
    await result.kernel?.dispose();
  });

  it('measures how much of its tolerance a kernel used, and its errors on N(0, 1) inputs', async () => {
    // Off by 2 f32 ulps of 1 on every non-integer result: within the tolerance even for a single product (8u at K = 1; integer results must stay exact).
    const sloppyHooks = { beforeStore: '(if (f32.ne (f32.nearest (local.get $acc)) (local.get $acc)) (then (local.set $acc (f32.mul (local.get $acc) (f32.const 1.000000238)))))' };
    const exact = await verify(naive(), problem, opts);
    const sloppy = await verify(naive(sloppyHooks), problem, opts);
    await exact.kernel?.dispose();
    await sloppy.kernel?.dispose();
    expect(sloppy.failure).toBeUndefined();
    const tight = exact.errors.measured()!;
    const loose = sloppy.errors.measured()!;
    expect(tight.elements).toBeGreaterThan(problem.shape.m * problem.shape.n);
    expect(tight.ofTolerance).toBeGreaterThan(0);
    expect(loose.ofTolerance).toBeGreaterThan(tight.ofTolerance);
    expect(loose.ofTolerance).toBeLessThanOrEqual(1);
    expect(loose.maxRel).toBeGreaterThan(3e-7);
    expect(loose.maxAbs).toBeGreaterThan(0);
  });

  it('measures nothing for a kernel that failed before any check by tolerance', async () => {
    const { errors } = await verify(naive({ afterLoops: 'unreachable' }), problem, opts);
    expect(errors.measured()).toBeUndefined();
  });

  it('smoke catches a kernel that writes nothing', async () => {
    const { failure, kernel } = await verify(naive({}, (w) => w.replace(/\(f32\.store [^\n]*\n/, '\n')), problem, opts);
    expect(kernel).toBeUndefined();
    expect(failure).toMatchObject({ stage: 'smoke', kind: 'rejected' });
    expect(failure!.reason).toBe('smoke: C was never written: all 480 elements still hold the poison');
  });

  it('smoke catches a kernel that computes only part of C', async () => {
    const { failure } = await verify(naive({ rowLimit: 20 }), problem, opts);
    expect(failure).toMatchObject({ stage: 'smoke', kind: 'rejected' });
    expect(failure!.reason).toBe('smoke: 80 of 480 elements of C were never written, first C[20,0]');
  });

  it('shapes catches a kernel that is wrong only on an edge shape', async () => {
    const build: KernelBuilder = (p) =>
      wasmKernel(p, naiveMatmulWat(p as MatmulProblem, p.shape.m === 7 ? { beforeStore: '(local.set $acc (f32.mul (local.get $acc) (f32.const 1.001)))' } : {}));
    const { failure } = await verify(build, problem, opts);
    expect(failure).toMatchObject({ stage: 'shapes', kind: 'rejected' });
    expect(failure!.reason).toMatch(/^shapes \(7x5x3\): C\[\d+,\d+\] = \S+ but expected \S+ \(\|err\| \S+ > tol \S+\); \d+ of 35 elements off$/);
  });

  it('numerics catches a kernel that is wrong only for large values', async () => {
    const exact = await verify(
      naive({ beforeStore: '(if (f32.gt (local.get $acc) (f32.const 100)) (then (local.set $acc (f32.add (local.get $acc) (f32.const 1)))))' }),
      problem,
      opts,
    );
    expect(exact.failure).toMatchObject({ stage: 'numerics', kind: 'rejected' });
    expect(exact.failure!.reason).toMatch(/^numerics \((wide|integers)\): C\[/);
  });

  it('catches a kernel that returns its first answer forever at its second call, in shapes', async () => {
    const once = (wat: string) =>
      wat
        .replace('(func (export "matmul")', '(global $done (mut i32) (i32.const 0))\n  (func (export "matmul")')
        .replace('(local $acc f32)', '(local $acc f32)\n    (if (global.get $done) (then (memory.copy (local.get $c) (local.get $ws) (i32.const 1920)) (return)))')
        .replace(/\)\)$/, '\n    (memory.copy (local.get $ws) (local.get $c) (i32.const 1920))\n    (global.set $done (i32.const 1))))');
    const { failure } = await verify(naive({}, once), problem, opts);
    expect(failure).toMatchObject({ stage: 'shapes', kind: 'rejected' });
    expect(failure!.reason).toMatch(/^shapes \(24x20x16\): C\[0,0\] = .* but expected .*; 480 of 480 elements off$/);
  });

  it('determinism catches a kernel whose answer drifts between calls', async () => {
    const drift = (wat: string) =>
      wat
        .replace('(func (export "matmul")', '(global $calls (mut f32) (f32.const 0))\n  (func (export "matmul")')
        .replace('(local $acc f32)', '(local $acc f32)\n    (global.set $calls (f32.add (global.get $calls) (f32.const 1)))')
        .replace('(f32.store', '(if (f32.gt (global.get $calls) (f32.const 7)) (then (local.set $acc (f32.add (local.get $acc) (f32.mul (local.get $acc) (f32.const 1e-7))))))\n        (f32.store');
    const { failure } = await verify(naive({}, drift), problem, opts);
    expect(failure).toMatchObject({ stage: 'determinism', kind: 'rejected' });
    expect(failure!.reason).toMatch(/^determinism: two runs on the same input differ: C\[0,0\] = \S+ then \S+; \d+ of 480 elements of C differ$/);
  });

  it('edges catches a kernel that drops NaN', async () => {
    const dropNan = { beforeStore: '(if (f32.ne (local.get $acc) (local.get $acc)) (then (local.set $acc (f32.const 0))))' };
    const { failure } = await verify(naive(dropNan), problem, opts);
    expect(failure).toMatchObject({ stage: 'edges', kind: 'rejected' });
    expect(failure!.reason).toMatch(/^edges \(NaN\): C\[\d+,\d+\] = 0 but expected NaN \(a NaN or Inf in an input must propagate\); \d+ of 480 elements off$/);
  });

  it('loophole catches a kernel that writes into an input', async () => {
    const { failure } = await verify(naive({ afterLoops: '(f32.store offset=8 (local.get $b) (f32.const 0))' }), problem, opts);
    expect(failure).toMatchObject({ stage: 'loophole', kind: 'rejected' });
    expect(failure!.reason).toMatch(/^loophole \(fresh inputs\): the kernel wrote into input B: B\[0,2\] was \S+, now 0 \(1 of 320 elements changed\)$/);
  });

  it('loophole catches a kernel that memoizes its answer under part of its input', async () => {
    const { failure } = await verify(naive({}, cachedByFirstElement), problem, opts);
    expect(failure).toMatchObject({ stage: 'loophole', kind: 'rejected' });
    expect(failure!.reason).toMatch(/^loophole \(round \d, half of the inputs redrawn\): C\[\d+,\d+\] = .* but expected/);
  });

  it('reports a trap as an error of the stage it happened in', async () => {
    const { failure } = await verify(naive({ afterLoops: 'unreachable' }), problem, opts);
    expect(failure).toMatchObject({ stage: 'smoke', kind: 'error' });
    expect(failure!.cause).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(failure!.reason).toBe('smoke: the kernel trapped: unreachable');
  });

  it('reports an out-of-bounds access as a trap', async () => {
    const { failure } = await verify(naive({ afterLoops: '(drop (f32.load (i32.const 0x7ffffff0)))' }), problem, opts);
    expect(failure).toMatchObject({ stage: 'smoke', kind: 'error' });
    expect(failure!.reason).toBe('smoke: the kernel trapped: memory access out of bounds');
  });

  it('reports a kernel that does not assemble', async () => {
    const { failure } = await verify(naive({ afterLoops: '(f32.bogus)' }), problem, opts);
    expect(failure).toMatchObject({ stage: 'smoke', kind: 'error' });
    expect(failure!.reason).toMatch(/^smoke: does not assemble: .*bogus/s);
  });

  it('stops with a timeout once its deadline has passed', async () => {
    const { failure, verdicts } = await verify(naive(), problem, { ...opts, deadlineAt: performance.now() - 1 });
    expect(failure).toMatchObject({ stage: 'smoke', kind: 'timeout' });
    expect(verdicts).toHaveLength(1);
  });
});
