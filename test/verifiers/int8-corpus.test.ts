import { describe, expect, it } from 'vitest';
import { familyFor } from '../../genome/families/registry.ts';
import type { WasmLaunch } from '../../genome/families/launch.ts';
import { parseProblem, type Problem } from '../../genome/ops/index.ts';
import type { MatmulProblem } from '../../genome/ops/matmul-problem.ts';
import { verify } from '../../verifiers/harness.ts';
import { enableRelaxedSimd } from '../../worker/wasm/features.ts';
import { wasmKernel } from '../../worker/wasm/kernel.ts';
import { hostileInt8Wat, int8Hostile, type Int8Hostile } from './corpus/int8-hostile.ts';

const problemOf = (dtype: string, exponentBlock?: number) => parseProblem({ op: 'matmul', shape: { m: 37, n: 53, k: 40 }, dtype, ...(exponentBlock ? { exponentBlock } : {}) }) as MatmulProblem;

async function verdict(wat: (p: MatmulProblem) => string, problem: MatmulProblem) {
  const launch = (p: Problem) => familyFor('matmul', 'wasm', p.dtype).baseline(p).launch as WasmLaunch;
  const { failure, kernel } = await verify((p) => wasmKernel(p, wat(p as MatmulProblem), launch(p)), problem, { seed: 5, precision: 'f32' });
  await kernel?.dispose();
  return failure;
}

describe.skipIf(!enableRelaxedSimd())('the hostile int8 corpus', () => {
  it('accepts the honest baseline the corpus is spliced from, so each rejection below is its trick being caught', async () => {
    for (const [dtype, exponentBlock] of [['i8'], ['u8i8'], ['i16'], ['i16', 32]] as const) {
      const honest: Int8Hostile = { name: 'honest', trick: '', dtype, stage: '', reason: /$/ };
      expect(await verdict((p) => hostileInt8Wat(honest, p), problemOf(dtype, exponentBlock))).toBeUndefined();
    }
  });

  it.each(int8Hostile.map((h): [string, Int8Hostile] => [h.name, h]))('rejects "%s" at the stage meant to catch it', async (_, hostile) => {
    const failure = await verdict((p) => hostileInt8Wat(hostile, p), problemOf(hostile.dtype, hostile.exponentBlock));
    expect(failure?.kind, `accepted: ${hostile.trick}`).toBe('rejected');
    expect(failure?.stage, failure?.reason).toBe(hostile.stage);
    expect(failure?.reason).toMatch(hostile.reason);
  });
});
