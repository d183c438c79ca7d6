import { describe, expect, it } from 'vitest';
import { familyFor } from '../../../genome/families/registry.ts';
import { WasmLaunch } from '../../../genome/families/launch.ts';
import type { Genome } from '../../../genome/genome.ts';
import { CONV_OPS, DEPTHWISE_OPS } from '../../../genome/ops/conv/problem.ts';
import { parseProblem, type Problem } from '../../../genome/ops/index.ts';
import type { Target } from '../../../genome/target.ts';
import { verify } from '../../../verifiers/harness.ts';
import { wasmKernel } from '../../../worker/wasm/kernel.ts';

const device: Target = { id: 'test', label: 'test', facts: { backend: 'wasm', relaxedSimd: false } };
/** The odd shape: nothing a multiple of a vector or a tile, stride 2, same padding; f16 tensors. */
const odd = (op: string): Problem => parseProblem({ op, dtype: 'f16', shape: { n: 1, h: 13, w: 11, c: 7, ...(op.startsWith('dw') ? {} : { k: 9 }), r: 3, s: 3 }, stride: 2, pad: 'same' });

/** Every stage of the harness (edge shapes, NaN and Inf, f16 extremes) on a genome of the op's f16 family, or its baseline. */
async function verified(problem: Problem, genome: Genome | 'baseline') {
  const family = familyFor(problem.op, 'wasm', 'f16');
  const code = (p: Problem) => (genome === 'baseline' ? family.baseline(p) : family.code(genome, p));
  const result = await verify((p) => wasmKernel(p, code(p).text, WasmLaunch.parse(code(p).launch)), problem, { seed: 5, precision: genome === 'baseline' ? 'f32' : family.precision(genome) });
  await result.kernel?.dispose();
  return result.failure?.reason;
}

describe('f16 convolutions on WASM (the f32 direct kernel between SIMD conversions)', () => {
  it.each([...CONV_OPS, ...DEPTHWISE_OPS])('%s: the first seed and the baseline pass the whole harness', async (op) => {
    const problem = odd(op);
    const [seed] = familyFor(op, 'wasm', 'f16').space(problem, device).seeds!();
    expect(seed).toMatchObject({ op, backend: 'wasm', family: 'f16' });
    expect(await verified(problem, seed!)).toBeUndefined();
    expect(await verified(problem, 'baseline')).toBeUndefined();
  });
});
