import { describe, expect, it } from 'vitest';
import { familyFor } from '../../genome/families/registry.ts';
import { WasmLaunch } from '../../genome/families/launch.ts';
import type { Genome } from '../../genome/genome.ts';
import { problemFrom, type Problem } from '../../genome/ops/index.ts';
import { verify } from '../../verifiers/harness.ts';
import { wasmKernel } from '../../worker/wasm/kernel.ts';
import { convI16Hostile, hostileConvI16Wat, type ConvI16Hostile } from './corpus/conv-i16-hostile.ts';

const problem = problemFrom('conv2d', 'n1h8w8c8k8r3s3', { dtype: 'i16' });
const family = familyFor('conv2d', 'wasm', 'i16');
const device = { id: 'test', label: 'test', facts: { backend: 'wasm' as const, relaxedSimd: false } };
const [dot16] = family.space(problem, device).seeds!() as [Genome];

async function verdict(h: Pick<ConvI16Hostile, 'accumulate'>) {
  const build = (p: Problem) => {
    const code = family.code(dot16, p);
    return wasmKernel(p, hostileConvI16Wat(h, code.text), WasmLaunch.parse(code.launch));
  };
  const { failure, kernel } = await verify(build, problem, { seed: 5, precision: 'f32' });
  await kernel?.dispose();
  return failure;
}

describe('the hostile i16 convolution corpus', () => {
  it('accepts the honest dot16 kernel the corpus is spliced from, so each rejection below is its trick being caught', async () => {
    expect(dot16).toMatchObject({ instruction: 'dot16' });
    expect(await verdict({ accumulate: '(i32x4.add (local.get $acc) (local.get $p))' })).toBeUndefined();
  });

  it.each(convI16Hostile.map((h): [string, ConvI16Hostile] => [h.name, h]))('rejects "%s" at the stage meant to catch it', async (_, hostile) => {
    const failure = await verdict(hostile);
    expect(failure?.kind, `accepted: ${hostile.trick}`).toBe('rejected');
    expect(failure?.stage, failure?.reason).toBe(hostile.stage);
    expect(failure?.reason).toMatch(hostile.reason);
  });
});
