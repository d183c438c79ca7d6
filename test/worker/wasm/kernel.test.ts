import { describe, expect, it } from 'vitest';
import { matmul } from '../../../genome/ops/matmul.ts';
import type { MatmulProblem } from '../../../genome/ops/matmul-problem.ts';
import { KevoError } from '../../../lib/errors.ts';
import { Rng } from '../../../lib/rng.ts';
import { f32, findPoisoned } from '../../../genome/dtypes/index.ts';
import { wasmKernel } from '../../../worker/wasm/kernel.ts';
import { naiveMatmulWat } from '../../../testkit/naive-wat.ts';

const problem: MatmulProblem = { op: 'matmul', shape: { m: 5, n: 7, k: 3 }, dtype: 'f32' };

function randomInputs(rng: Rng): Float32Array[] {
  return matmul.inputs(problem).map((t) => Float32Array.from({ length: t.dims[0]! * t.dims[1]! }, () => rng.normal()));
}

describe('wasmKernel', () => {
  it('runs a WAT kernel over the ABI and matches the f64 reference', async () => {
    const kernel = await wasmKernel(problem, naiveMatmulWat(problem));
    const inputs = randomInputs(new Rng(1));
    await kernel.write(inputs);
    await kernel.poison();
    expect(findPoisoned(f32, (await kernel.readOutputs())[0]!, problem.shape.m * problem.shape.n).count).toBe(problem.shape.m * problem.shape.n);
    await kernel.run();
    const got = (await kernel.readOutputs())[0]!;
    expect(findPoisoned(f32, got, got.length).count).toBe(0);
    const want = matmul.reference(problem, inputs);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 4));
    expect(await kernel.readInputs()).toEqual(inputs);
    expect(await kernel.timeRuns(3)).toBeGreaterThan(0);
  });

  it('reports an assembler error with code ASSEMBLE and the offending text', async () => {
    const error = await wasmKernel(problem, '(module (func (export "matmul") (i32.bogus)))').catch((e) => e);
    expect(error).toBeInstanceOf(KevoError);
    expect(error.code).toBe('ASSEMBLE');
    expect(error.message).toMatch(/bogus/);
  });

  it('refuses a module without the matmul export', async () => {
    const error = await wasmKernel(problem, '(module (import "env" "memory" (memory 1)))').catch((e) => e);
    expect(error.code).toBe('ASSEMBLE');
    expect(error.message).toMatch(/exports no function "matmul"/);
  });

  it('gives a kernel no room to grow its memory', async () => {
    const wat = `(module (import "env" "memory" (memory 1))
      (func (export "matmul") (param $a i32) (param $b i32) (param $c i32) (param $ws i32)
        (f32.store (local.get $c) (f32.convert_i32_s (memory.grow (i32.const 1000))))))`;
    const kernel = await wasmKernel(problem, wat);
    await kernel.run();
    expect((await kernel.readOutputs())[0]![0]).toBe(-1);
  });
});
