import { describe, expect, it } from 'vitest';
import { familyFor } from '../../../genome/families/registry.ts';
import { WasmLaunch } from '../../../genome/families/launch.ts';
import type { Genome } from '../../../genome/genome.ts';
import { CONV_OPS, DEPTHWISE_OPS, type ConvProblem } from '../../../genome/ops/conv/problem.ts';
import { problemFrom, type Problem } from '../../../genome/ops/index.ts';
import { convI16Wat } from '../../../genome/wasm/conv-i16/codegen.ts';
import { Rng } from '../../../lib/rng.ts';
import { verify } from '../../../verifiers/harness.ts';
import { wasmKernel } from '../../../worker/wasm/kernel.ts';

const device = { id: 'test', label: 'test', facts: { backend: 'wasm' as const, relaxedSimd: false } };
/** The odd shape: nothing a multiple of a vector or a tile, stride 2, same padding (the edge shapes add the other geometries). */
const odd = (op: string) => problemFrom(op, op.startsWith('dw') ? 'n1h13w11c7r3s3' : 'n1h13w11c7k9r3s3', { stride: 2, dtype: 'i16' });

/** Every stage of the harness (edge shapes, integer extremes) on one genome of the op's int16 family, or its baseline. */
async function verified(problem: Problem, genome: Genome | 'baseline') {
  const family = familyFor(problem.op, 'wasm', 'i16');
  const code = (p: Problem) => (genome === 'baseline' ? family.baseline(p) : family.code(genome, p));
  const result = await verify((p) => wasmKernel(p, code(p).text, WasmLaunch.parse(code(p).launch)), problem, { seed: 5, precision: 'f32' });
  await result.kernel?.dispose();
  return result.failure?.reason;
}

describe('the i16 convolution families on WASM', () => {
  it.each([...CONV_OPS, ...DEPTHWISE_OPS])('%s: every seed (dot16 and extmul where legal) and the baseline pass the whole harness', async (op) => {
    const problem = odd(op);
    const seeds = familyFor(op, 'wasm', 'i16').space(problem, device).seeds!();
    expect(new Set(seeds.map((g) => (g as unknown as { instruction: string }).instruction))).toEqual(new Set(op.startsWith('dw') ? ['extmul'] : ['dot16', 'extmul']));
    for (const genome of [...seeds, 'baseline' as const]) expect(await verified(problem, genome), JSON.stringify(genome)).toBeUndefined();
  });

  it('samples, mutates and repairs genomes within the register budget; dot16 is refused and repaired away on depthwise ops', () => {
    const rng = new Rng(3);
    for (const op of [...CONV_OPS, ...DEPTHWISE_OPS]) {
      const problem = odd(op);
      const space = familyFor(op, 'wasm', 'i16').space(problem, device);
      for (let i = 0; i < 20; i++) expect(space.check(space.mutate(space.sample(rng), rng))).toBeNull();
      expect([...space.enumerate!()].every((g) => space.check(g) === null)).toBe(true);
      const greedy = { op, backend: 'wasm', family: 'int16', instruction: 'dot16', tile: 8, vectors: 4, unroll: 4 };
      expect(space.repair(greedy as Genome)).not.toBeNull();
      if (op.startsWith('dw')) {
        expect(space.check(greedy as Genome)).toMatch(/depthwise convolution has none of: use extmul/);
        expect(() => convI16Wat(greedy as never, problem as ConvProblem)).toThrow(/use extmul/);
      }
    }
  });

  it('the f32 family does not take an i16 problem, nor the i16 family an f32 one', () => {
    expect(() => familyFor('conv2d', 'wasm', 'i16').code({ op: 'conv2d', backend: 'wasm', family: 'direct' } as Genome, odd('conv2d'))).toThrow();
    expect(familyFor('conv2d', 'wasm').name).toBe('direct');
    expect(familyFor('conv2d', 'wasm', 'i16').name).toBe('int16');
  });
});
