import { describe, expect, it } from 'vitest';
import { familyFor } from '../../../genome/families/registry.ts';
import { WasmLaunch } from '../../../genome/families/launch.ts';
import type { Genome } from '../../../genome/genome.ts';
import { CONV_OPS, DEPTHWISE_OPS } from '../../../genome/ops/conv/problem.ts';
import { problemFrom, type Problem } from '../../../genome/ops/index.ts';
import type { Target } from '../../../genome/target.ts';
import { verify } from '../../../verifiers/harness.ts';
import { enableRelaxedSimd } from '../../../worker/wasm/features.ts';
import { wasmKernel } from '../../../worker/wasm/kernel.ts';

const relaxedSimd = enableRelaxedSimd();
const device: Target = { id: 'test', label: 'test', facts: { backend: 'wasm', relaxedSimd } };

/** Every stage of the harness (edge shapes included) on one genome of the op's family, or its baseline. */
async function verified(problem: Problem, genome: Genome | 'baseline') {
  const family = familyFor(problem.op, 'wasm');
  const code = (p: Problem) => (genome === 'baseline' ? family.baseline(p) : family.code(genome, p));
  const result = await verify((p) => wasmKernel(p, code(p).text, WasmLaunch.parse(code(p).launch)), problem, {
    seed: 5,
    precision: genome === 'baseline' ? 'f32' : family.precision(genome),
  });
  await result.kernel?.dispose();
  return result.failure?.reason;
}

const shapes = (op: string) => (op.startsWith('dw') ? ['n1h13w11c7r3s3', 'n2h8w8c8r3s3'] : ['n1h13w11c7k9r3s3', 'n2h8w8c8k8r3s3']);
const geometries = [
  { stride: 2, pad: 'same' },
  { stride: 1, pad: 'valid' },
] as const;

describe('the convolution families on WASM', () => {
  it.each([...CONV_OPS, ...DEPTHWISE_OPS])('%s: every seed and the baseline pass the whole harness', async (op) => {
    for (const [i, shape] of shapes(op).entries()) {
      const problem = problemFrom(op, shape, geometries[i]!);
      const space = familyFor(op, 'wasm').space(problem, device);
      const seeds = space.seeds!();
      expect(seeds.length).toBeGreaterThan(0);
      for (const genome of [...seeds, 'baseline' as const]) expect(await verified(problem, genome), `${shape} ${JSON.stringify(genome)}`).toBeUndefined();
    }
  });

  it('conv2d with a fused epilogue (bias, gelu, residual) passes', async () => {
    const problem = problemFrom('conv2d', 'n1h7w9c5k6r3s3', { stride: 2, epilogue: ['bias', 'gelu', 'residual'] });
    const [seed] = familyFor('conv2d', 'wasm').space(problem, device).seeds!();
    expect(await verified(problem, seed!)).toBeUndefined();
    expect(await verified(problem, 'baseline')).toBeUndefined();
  });

  it('im2col + GEMM passes on 1x1 windows (no im2col; a strided gather), every epilogue mode, both gradients, and A and B packed or not (W at load)', async () => {
    const gemm = (op: string, genes: object) => ({ op, backend: 'wasm', family: 'direct', algorithm: 'im2col', mr: 3, nr: 8, kUnroll: 2, mc: 6, kc: 5, nc: 8, packA: false, packB: false, loopOrder: 'nkm', fma: false, ...genes }) as Genome;
    const cases = [
      [problemFrom('conv2d', 'n2h5w3c6k9r1s1'), gemm('conv2d', {})],
      [problemFrom('conv2d', 'n2h5w3c6k9r1s1', { epilogue: ['bias', 'relu'] }), gemm('conv2d', { packB: 'load', epilogue: 'tile' })],
      [problemFrom('conv2d', 'n1h7w6c5k6r1s1', { stride: 2 }), gemm('conv2d', { packA: true, packB: true, aBroadcast: 'shuffle', mr: 4 })],
      ...(['fused', 'tile', 'pass'] as const).map((epilogue) => [problemFrom('conv2d', 'n1h7w9c5k6r3s3', { stride: 2, epilogue: ['bias', 'relu', 'residual'] }), gemm('conv2d', { epilogue, packB: true })] as const),
      [problemFrom('conv2d-bwd-data', 'n1h7w6c5k6r3s3', { stride: 2 }), gemm('conv2d-bwd-data', { packA: true, loopOrder: 'mnk' })],
      [problemFrom('conv2d-bwd-weights', 'n2h7w6c5k6r3s3', { stride: 2 }), gemm('conv2d-bwd-weights', { packB: true })],
      [problemFrom('conv2d-bwd-weights', 'n1h5w3c6k9r1s1', { pad: 'valid' }), gemm('conv2d-bwd-weights', { mr: 2, packA: true, kUnroll: 4 })],
    ] as const;
    for (const [problem, genome] of cases) expect(await verified(problem, genome), `${JSON.stringify(problem)} ${JSON.stringify(genome)}`).toBeUndefined();
  });

  it('implicit GEMM passes on conv2d and its data gradient, strides, paddings, overlapping A rows, A and B packed or not, and an epilogue as passes', async () => {
    const implicit = (op: string, genes: object) => ({ op, backend: 'wasm', family: 'direct', algorithm: 'implicit', mr: 3, nr: 8, kUnroll: 2, mc: 6, kc: 5, nc: 8, packA: false, packB: false, loopOrder: 'nkm', fma: false, ...genes }) as Genome;
    const cases = [
      [problemFrom('conv2d', 'n2h5w3c6k9r1s1'), implicit('conv2d', {})],
      [problemFrom('conv2d', 'n1h7w9c5k6r3s3', { stride: 2, epilogue: ['bias', 'gelu', 'residual'] }), implicit('conv2d', { packA: true, packB: true, aBroadcast: 'shuffle', mr: 4 })],
      [problemFrom('conv2d', 'n2h8w7c4k5r3s2', { pad: 'valid' }), implicit('conv2d', { packA: true, aBroadcast: 'k-shuffle', kUnroll: 1, loopOrder: 'mnk' })],
      [problemFrom('conv2d-bwd-data', 'n1h7w6c5k6r3s3', { stride: 2 }), implicit('conv2d-bwd-data', { packB: true, loopOrder: 'kmn' })],
    ] as const;
    for (const [problem, genome] of cases) expect(await verified(problem, genome), `${JSON.stringify(problem)} ${JSON.stringify(genome)}`).toBeUndefined();
    const space = familyFor('conv2d', 'wasm').space(problemFrom('conv2d', 'n1h7w9c5k6r3s3', { epilogue: ['bias'] }), device);
    expect(space.check(implicit('conv2d', { epilogue: 'pass' }))).toMatch(/no epilogue/);
    expect(space.check(implicit('conv2d', {}))).toBeNull();
  });

  it('samples, mutates and repairs genomes that pass check, for every op', async () => {
    const { Rng } = await import('../../../lib/rng.ts');
    const rng = new Rng(3);
    for (const op of [...CONV_OPS, ...DEPTHWISE_OPS]) {
      const problem = problemFrom(op, op.startsWith('dw') ? 'n1h5w3c6r3s3' : 'n1h5w3c6k5r3s3');
      const space = familyFor(op, 'wasm').space(problem, device);
      for (let i = 0; i < 30; i++) {
        const g = space.mutate(space.sample(rng), rng);
        expect(space.check(g), JSON.stringify(g)).toBeNull();
      }
      expect([...space.enumerate!()].every((g) => space.check(g) === null)).toBe(true);
      expect(space.repair({ op, backend: 'wasm', family: 'direct', tile: 8, vectors: 4, unroll: 4, order: 'channels', fma: false })).not.toBeNull();
    }
  });
});
