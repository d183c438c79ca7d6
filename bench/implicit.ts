/**
 * Implicit GEMM against im2col + GEMM and direct on one thread, WASM SIMD
 * (`npx tsx bench/implicit.ts`): for each layer, each algorithm's first seed
 * (what a campaign starts from), timed interleaved by CPU time; ratios paired per round.
 */
import { familyFor } from '../genome/families/registry.ts';
import { WasmLaunch } from '../genome/families/launch.ts';
import { problemFrom } from '../genome/ops/index.ts';
import { algorithmOf, type ConvWasmGenome } from '../genome/wasm/conv/genome.ts';
import { instantiateLaunch } from '../worker/wasm/kernel.ts';
import { measure, medianGflops, pairedRatio, type Contender } from './lib/timing.ts';

const device = { id: 'bench', label: 'bench', facts: { backend: 'wasm', relaxedSimd: false } } as const;
const LAYERS = [
  { shape: 'n1h32w32c16k32r3s3', stride: 1 },
  { shape: 'n1h16w16c32k64r3s3', stride: 2 },
  { shape: 'n1h16w16c64k64r3s3', stride: 1 },
] as const;

for (const { shape, stride } of LAYERS) {
  // W fixed (inference): the GEMMs pack it once, at load.
  const problem = problemFrom('conv2d', shape, { stride, pad: 'same', weights: 'fixed' });
  const family = familyFor('conv2d', 'wasm');
  const seeds = family.space(problem, device).seeds!() as ConvWasmGenome[];
  const g = problem.shape as { n: number; h: number; w: number; c: number; k: number; r: number; s: number };
  const flops = 2 * g.n * Math.ceil(g.h / stride) * Math.ceil(g.w / stride) * g.k * g.r * g.s * g.c;
  const contenders: Contender[] = [];
  for (const algorithm of ['direct', 'im2col', 'implicit']) {
    const genome = seeds.find((s) => algorithmOf(s) === algorithm)!;
    const code = family.code(genome, problem);
    const instance = await instantiateLaunch(code.text, WasmLaunch.parse(code.launch));
    instance.prepare?.(); // weights packed at load (im2col's seeds): once, untimed
    contenders.push({ name: algorithm, flops, time: async (times) => { const t = performance.now(); for (let i = 0; i < times; i++) instance.call(); return (performance.now() - t) / times; } });
  }
  const samples = await measure(contenders, { rounds: 9, sampleMs: 60 });
  const gf = (n: string) => medianGflops(samples, n).toFixed(2);
  console.log(`${shape} s${stride}: direct ${gf('direct')} im2col ${gf('im2col')} implicit ${gf('implicit')} GFLOP/s; implicit/im2col ${pairedRatio(samples, 'implicit', 'im2col').toFixed(2)}x, implicit/direct ${pairedRatio(samples, 'implicit', 'direct').toFixed(2)}x`);
}
