import { describe, expect, it } from 'vitest';
import type { MatmulProblem } from '../../genome/ops/matmul-problem.ts';
import type { Problem } from '../../genome/ops/problem.ts';
import { f32, type Storage } from '../../genome/dtypes/index.ts';
import { Rng } from '../../lib/rng.ts';
import { randomInputs } from '../../verifiers/inputs.ts';
import { cpuDeviceClass } from '../../worker/device.ts';
import { evaluateKernel } from '../../worker/evaluate.ts';
import { wasmKernel } from '../../worker/wasm/kernel.ts';
import { naiveMatmulWat, naivePreparedMatmul } from '../../testkit/naive-wat.ts';
import { problem, sourceJob } from '../worker/jobs.ts';
import { VERIFICATION_CALLS } from './corpus/hostile.ts';

type Hooks = NonNullable<Parameters<typeof naivePreparedMatmul>[1]>;

/** The whole harness a worker runs on a kernel with a load-time step: every stage, then timing with its spot checks. */
async function evaluate(hooks: (p: MatmulProblem) => Hooks) {
  const build = (p: Problem) => {
    const { wat, launch } = naivePreparedMatmul(p as MatmulProblem, hooks(p as MatmulProblem));
    return wasmKernel(p, wat, launch);
  };
  const text = naivePreparedMatmul(problem, hooks(problem)).wat;
  return evaluateKernel({
    job: sourceJob(text),
    build,
    buildBaseline: (p) => wasmKernel(p, naiveMatmulWat(p as MatmulProblem)),
    device: await cpuDeviceClass(),
    source: { language: 'wat', text },
    worker: 'test',
    precision: 'f32',
  });
}

const bBytes = (p: MatmulProblem) => p.shape.k * p.shape.n * 4;
const cBytes = (p: MatmulProblem) => p.shape.m * p.shape.n * 4;
/** Counts the entry's calls, so a trick can wait until the verifier stages are over and only the timing's spot checks see it. */
const counting = '(global.set $runs (i32.add (global.get $runs) (i32.const 1)))';
const pastVerification = `(i32.gt_u (global.get $runs) (i32.const ${VERIFICATION_CALLS}))`;
/** The naive kernel as a function $compute (a, b, c, ws): what a cheating pack calls to compute C. */
function compute(p: MatmulProblem): string {
  const text = naiveMatmulWat(p);
  return text.slice(text.indexOf('(func'), text.lastIndexOf(')')).replace('(func (export "matmul")', '(func $compute');
}

describe('kernels that pack their weights at load time', () => {
  it('pack when written and again only when a weight changes, and pass the whole harness with the pack timed apart', async () => {
    // C[0] reports how many times the kernel packed.
    const { wat, launch } = naivePreparedMatmul(problem, {
      globals: '(global $packs (mut i32) (i32.const 0))',
      prepareBody: `(global.set $packs (i32.add (global.get $packs) (i32.const 1)))
    (memory.copy (local.get $packed) (local.get $b) (i32.const ${bBytes(problem)}))`,
      afterLoops: '(f32.store (local.get $c) (f32.convert_i32_u (global.get $packs)))',
    });
    const kernel = await wasmKernel(problem, wat, launch);
    expect(kernel.weights).toEqual([1]);
    expect(kernel.prepareMs()).toBeUndefined();
    const packs = async (inputs: Storage[]) => {
      await kernel.write(inputs);
      await kernel.run();
      return (await kernel.readOutputs())[0]![0];
    };
    const rng = new Rng(1);
    const [a, b] = randomInputs(problem, 'normal', rng, f32.limits) as [Float32Array, Float32Array];
    expect(await packs([a, b])).toBe(1);
    expect(kernel.prepareMs()).toBeGreaterThanOrEqual(0);
    expect(await packs([a, b])).toBe(1);
    expect(await packs([a.map((x) => x + 1), b])).toBe(1);
    expect(await packs([a, b.map((x, i) => (i === 7 ? x + 1 : x))])).toBe(2);

    const result = await evaluate(() => ({}));
    expect(result.status, result.reason).toBe('ok');
    expect(result.timing!.prepareMs).toBeGreaterThanOrEqual(0);
  });

  it('a pack that ignores weights changed after the first is caught by the first check that changes them', async () => {
    const result = await evaluate(() => ({
      globals: '(global $packed (mut i32) (i32.const 0))',
      prepareBody: `(if (global.get $packed) (then (return)))
    (global.set $packed (i32.const 1))
    (memory.copy (local.get $packed) (local.get $b) (i32.const ${bBytes(problem)}))`,
    }));
    expect(result.status).toBe('rejected');
    expect(result.stage).toBe('shapes');
  });

  it('a pack keyed on one weight, once verification is over, is caught by the spot check that redraws one element of each input', async () => {
    const result = await evaluate((p) => ({
      globals: '(global $runs (mut i32) (i32.const 0)) (global $key (mut i32) (i32.const -1))',
      prologue: counting,
      prepareBody: `(if (i32.and ${pastVerification} (i32.eq (i32.load (local.get $b)) (global.get $key))) (then (return)))
    (global.set $key (i32.load (local.get $b)))
    (memory.copy (local.get $packed) (local.get $b) (i32.const ${bBytes(p)}))`,
    }));
    expect(result.status).toBe('rejected');
    expect(result.stage).toBe('spotcheck');
    expect(result.reason).toMatch(/one element of each input redrawn/);
  });

  it('a "pack" that computes the answer, for run() to replay, is caught when only the activations change', async () => {
    const result = await evaluate((p) => ({
      globals: '(global $runs (mut i32) (i32.const 0)) (global $a (mut i32) (i32.const 0)) (global $cached (mut i32) (i32.const 0))',
      funcs: compute(p),
      packedBytes: bBytes(p) + cBytes(p),
      prologue: `${counting}
    (global.set $a (local.get $a))
    (if (global.get $cached) (then (memory.copy (local.get $c) (i32.add (local.get $packed) (i32.const ${bBytes(p)})) (i32.const ${cBytes(p)})) (return)))`,
      prepareBody: `(memory.copy (local.get $packed) (local.get $b) (i32.const ${bBytes(p)}))
    (global.set $cached ${pastVerification})
    (if (global.get $cached) (then (call $compute (global.get $a) (local.get $packed) (i32.add (local.get $packed) (i32.const ${bBytes(p)})) (i32.const 0))))`,
    }));
    expect(result.status).toBe('rejected');
    expect(result.stage).toBe('spotcheck');
    expect(result.reason).toMatch(/one element of each input but the packed weights redrawn/);
  });

  it('the loophole stage catches a pack that computes the answer from the start', async () => {
    const result = await evaluate((p) => ({
      // A's offset is a constant of the launch (the first tensor, 64 bytes in): a pack can read it.
      globals: '(global $a (mut i32) (i32.const 64))',
      funcs: compute(p),
      packedBytes: bBytes(p) + cBytes(p),
      prologue: `(memory.copy (local.get $c) (i32.add (local.get $packed) (i32.const ${bBytes(p)})) (i32.const ${cBytes(p)})) (return)`,
      prepareBody: `(call $compute (global.get $a) (local.get $b) (i32.add (local.get $packed) (i32.const ${bBytes(p)})) (i32.const 0))`,
    }));
    expect(result.status).toBe('rejected');
    expect(result.stage).toBe('loophole');
    expect(result.reason).toMatch(/inputs but the packed weights redrawn/);
  });
});
