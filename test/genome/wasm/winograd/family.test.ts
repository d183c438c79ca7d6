import { describe, expect, it } from 'vitest';
import { findGenomeFamily } from '../../../../genome/families/registry.ts';
import { WasmLaunch } from '../../../../genome/families/launch.ts';
import type { Genome } from '../../../../genome/genome.ts';
import { F2x3, type WinogradTransforms } from '../../../../genome/ops/conv/winograd.ts';
import type { Conv2dProblem } from '../../../../genome/ops/conv/problem.ts';
import { problemFrom, type Problem } from '../../../../genome/ops/index.ts';
import { Rng } from '../../../../lib/rng.ts';
import { winogradWat } from '../../../../genome/wasm/winograd/codegen.ts';
import type { WinogradWasmGenome } from '../../../../genome/wasm/winograd/genome.ts';
import { spaceFor } from '../../../../genome/spaces.ts';
import type { Target } from '../../../../genome/target.ts';
import { verify } from '../../../../verifiers/harness.ts';
import { enableRelaxedSimd } from '../../../../worker/wasm/features.ts';
import { wasmKernel } from '../../../../worker/wasm/kernel.ts';

const relaxedSimd = enableRelaxedSimd();
const device: Target = { id: 'test', label: 'test', facts: { backend: 'wasm', relaxedSimd } };
const winograd = findGenomeFamily('conv2d', 'wasm', 'winograd')!;

/** Every stage of the harness (edge shapes included) on a Winograd genome, held to `precision`. */
async function verdict(problem: Problem, genome: Genome, precision = winograd.precision(genome)) {
  const code = (p: Problem) => winograd.code(genome, p);
  const result = await verify((p) => wasmKernel(p, code(p).text, WasmLaunch.parse(code(p).launch)), problem, { seed: 5, precision });
  await result.kernel?.dispose();
  return result.failure?.reason;
}

const odd = problemFrom('conv2d', 'n1h13w11c7k9r3s3', { accuracy: 'f32-norm' }) as Conv2dProblem;
const seed: WinogradWasmGenome = { op: 'conv2d', backend: 'wasm', family: 'winograd', tile: 4, vectors: 2, unroll: 1, fma: false };

/** The harness's verdict on a hostile kernel: the family's own launch, `wat` for the text. */
async function hostile(problem: Conv2dProblem, wat: (p: Conv2dProblem) => string) {
  const launch = (p: Problem) => WasmLaunch.parse(winograd.code(seed, p).launch);
  const result = await verify((p) => wasmKernel(p, wat(p as Conv2dProblem), launch(p)), problem, { seed: 5, precision: 'f32-winograd' });
  await result.kernel?.dispose();
  return result.failure?.reason;
}

describe('the Winograd conv2d family on WASM', () => {
  it('joins the direct family\'s search only for a 3x3 stride-1 conv2d under the f32-norm contract', () => {
    const families = (shape: string, options: Record<string, unknown>) => new Set(spaceFor(problemFrom('conv2d', shape, options), 'wasm', device).seeds!().map((g) => g.family));
    expect(families('n1h13w11c7k9r3s3', { accuracy: 'f32-norm' })).toEqual(new Set(['direct', 'winograd']));
    expect(families('n1h13w11c7k9r3s3', {})).toEqual(new Set(['direct']));
    expect(families('n1h13w11c7k9r3s3', { accuracy: 'f32-norm', stride: 2 })).toEqual(new Set(['direct']));
    expect(families('n1h13w11c7k9r5s5', { accuracy: 'f32-norm' })).toEqual(new Set(['direct']));
  });

  it('the joined space samples, mutates, crosses over and repairs genomes of both algorithms that pass check', () => {
    const space = spaceFor(odd, 'wasm', device);
    const rng = new Rng(3);
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const g = space.crossover(space.mutate(space.sample(rng), rng), space.sample(rng), rng);
      expect(space.check(g), JSON.stringify(g)).toBeNull();
      expect(space.descriptor(g)[0]).toBe(`family:${g.family}`);
      seen.add(g.family);
    }
    expect(seen).toEqual(new Set(['direct', 'winograd']));
    expect([...space.enumerate!()].every((g) => space.check(g) === null)).toBe(true);
    expect(space.repair({ ...seed, tile: 8, vectors: 4 })).toMatchObject({ family: 'winograd' });
    expect(space.check({ ...seed, family: 'nope' } as never)).toMatch(/^not a genome of/);
  });

  it('is held to the elementwise f32 model, a seed fails on inputs of wide range: why it needs f32-norm', async () => {
    expect(await verdict(odd, seed, 'f32')).toMatch(/^numerics \(wide\)/);
  });

  it('catches a wrong transform constant and a dropped partial tile', async () => {
    const wrongG: WinogradTransforms = { ...F2x3, g: F2x3.g.map((row, a) => (a === 2 ? [0.5, -0.5, 0.25] : row)) };
    expect(await hostile(odd, (p) => winogradWat(seed, p, wrongG))).toMatch(/^smoke|^numerics|^shapes/);
    // A partial tile (odd output edge) counted as holding nothing: its pixels keep the poison.
    const dropped = (p: Conv2dProblem) => winogradWat(seed, p).replaceAll('(select (i32.const 2) (i32.const 1)', '(select (i32.const 2) (i32.const 0)');
    expect(dropped(odd)).not.toBe(winogradWat(seed, odd));
    expect(await hostile(odd, dropped)).toMatch(/^smoke: \d+ of \d+ elements of Y were never written/);
  });

  it('every seed passes the whole harness on odd shapes, same and valid, and with a fused epilogue', async () => {
    const problems = [
      problemFrom('conv2d', 'n1h13w11c7k9r3s3', { accuracy: 'f32-norm' }),
      problemFrom('conv2d', 'n2h13w11c7k9r3s3', { pad: 'valid', accuracy: 'f32-norm' }),
      problemFrom('conv2d', 'n1h7w9c5k6r3s3', { accuracy: 'f32-norm', epilogue: ['bias', 'gelu', 'residual'] }),
    ];
    for (const problem of problems) {
      const seeds = spaceFor(problem, 'wasm', device).seeds!().filter((g) => g.family === 'winograd');
      expect(seeds.length).toBeGreaterThan(0);
      for (const genome of seeds) expect(await verdict(problem, genome), JSON.stringify(genome)).toBeUndefined();
    }
  });
});
