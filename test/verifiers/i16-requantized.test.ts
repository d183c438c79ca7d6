import { describe, expect, it } from 'vitest';
import { familyFor } from '../../genome/families/registry.ts';
import type { WasmLaunch } from '../../genome/families/launch.ts';
import { parseProblem, type Problem } from '../../genome/ops/index.ts';
import type { MatmulProblem } from '../../genome/ops/matmul-problem.ts';
import { verify } from '../../verifiers/harness.ts';
import { wasmKernel } from '../../worker/wasm/kernel.ts';
import { hostileRequantizeWat, requantizeHostile, type RequantizeHostile } from './corpus/i16-requantized.ts';

const problemOf = (exponentBlock?: number) =>
  parseProblem({ op: 'matmul', shape: { m: 37, n: 53, k: 40 }, dtype: 'i16', output: 'i16', ...(exponentBlock ? { exponentBlock } : {}) }) as MatmulProblem;

async function verdict(wat: (p: MatmulProblem) => string, problem: MatmulProblem) {
  const launch = (p: Problem) => familyFor('matmul', 'wasm', p.dtype).baseline(p).launch as WasmLaunch;
  const { failure, kernel } = await verify((p) => wasmKernel(p, wat(p as MatmulProblem), launch(p)), problem, { seed: 5, precision: 'f32' });
  await kernel?.dispose();
  return failure;
}

describe('the hostile i16 requantizing corpus', () => {
  it('accepts the honest baseline the corpus is spliced from, per tensor and with block exponents', async () => {
    const honest = { honest: '(i32.store8', hostile: '(i32.store8' };
    for (const block of [undefined, 32]) expect(await verdict((p) => hostileRequantizeWat(honest, p), problemOf(block))).toBeUndefined();
  });

  it.each(requantizeHostile.map((h): [string, RequantizeHostile] => [h.name, h]))('rejects "%s" at the stage meant to catch it', async (_, hostile) => {
    const failure = await verdict((p) => hostileRequantizeWat(hostile, p), problemOf(hostile.exponentBlock));
    expect(failure?.kind, `accepted: ${hostile.trick}`).toBe('rejected');
    expect(failure?.stage, failure?.reason).toBe(hostile.stage);
    expect(failure?.reason).toMatch(hostile.reason);
  });
});
