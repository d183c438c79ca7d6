/**
 * WGSL matmul on this machine's WebGPU adapter: the naive baseline, classic
 * 16x16 workgroup-memory tiles, a hand-written-style 8x8-workgroup 4x4 vec4
 * register tile, the best genome of a bounded search at 256^3 (verified by the
 * WebGPU runner, then re-timed at every size), and kevo's WASM kernel on one
 * CPU core, interleaved, medians. `npm run bench:webgpu [-- --quick]`.
 */
import { parseArgs } from 'node:util';
import { matmul } from '../genome/ops/matmul.ts';
import type { MatmulProblem } from '../genome/ops/problem.ts';
import { defaultWasmGenome } from '../genome/wasm/baseline.ts';
import { matmulWat } from '../genome/wasm/codegen.ts';
import { naiveMatmulWgsl } from '../genome/webgpu/baseline.ts';
import { matmulWgsl, type WgslKernel } from '../genome/webgpu/codegen.ts';
import type { MatmulWebgpuGenome } from '../genome/webgpu/genome.ts';
import { webgpuMatmulSpace } from '../genome/webgpu/space.ts';
import { Rng } from '../lib/rng.ts';
import { PROTOCOL_VERSION } from '../protocol/job.ts';
import type { Kernel } from '../verifiers/kernel.ts';
import { enableRelaxedSimd } from '../worker/wasm/features.ts';
import { wasmKernel } from '../worker/wasm/kernel.ts';
import { gpuDeviceClass, gpuFacts } from '../worker/webgpu/device.ts';
import { openDevice, requestAdapter } from '../worker/webgpu/gpu.ts';
import { webgpuKernel } from '../worker/webgpu/kernel.ts';
import { WebgpuRunner } from '../worker/webgpu/runner.ts';
import { kernelContender } from './lib/kernel-contender.ts';
import { median } from '../lib/stats.ts';
import { medianGflops, pairedRatio, type Contender, type Samples } from './lib/timing.ts';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const sizes = args.quick ? [256] : [256, 512, 1024];
const SEARCH_SIZE = 256;
const SEARCH_MS = args.quick ? 20_000 : 90_000;
const ROUNDS: Record<number, number> = { 256: 7, 512: 5, 1024: 2 };

const log = (line: string) => process.stderr.write(`${line}\n`);
const square = (s: number): MatmulProblem => ({ op: 'matmul', shape: { m: s, n: s, k: s }, dtype: 'f32' });
const inputsFor = (s: number, seed: number) => {
  const rng = new Rng(seed);
  return [0, 1].map(() => Float32Array.from({ length: s * s }, () => rng.normal()));
};
const genome = (genes: Omit<MatmulWebgpuGenome, 'backend' | 'family'>): MatmulWebgpuGenome => ({ backend: 'webgpu', family: 'tiled', ...genes });

/** Classic shared-memory tiling: each thread one output, 16x16 tiles of A and B staged per K step. */
const TILED_16 = genome({ workgroupX: 16, workgroupY: 16, tm: 1, tn: 1, vec: 1, kTile: 16, workgroupMemory: true, doubleBuffer: false, unroll: 1, precision: 'f32' });
/** The hand-written reference: 8x8 threads, each a 4x4 tile as four vec4 accumulators, a plain K loop. */
const HAND_8x8 = genome({ workgroupX: 8, workgroupY: 8, tm: 4, tn: 1, vec: 4, kTile: 1, workgroupMemory: false, doubleBuffer: false, unroll: 1, precision: 'f32' });

const adapter = await requestAdapter();
if (!adapter) {
  log('no WebGPU adapter: install Mesa 25 lavapipe (bookworm-backports mesa-vulkan-drivers) or a GPU driver');
  process.exit(1);
}
const device = await openDevice(adapter);
const deviceClass = gpuDeviceClass(gpuFacts(adapter));
log(`adapter: ${deviceClass.label} [${deviceClass.facts.backend === 'webgpu' ? deviceClass.facts.features.join(', ') : ''}]`);

async function gpuContender(name: string, problem: MatmulProblem, kernel: WgslKernel, inputs: Float32Array[]) {
  return kernelContender(name, problem, await webgpuKernel(device, problem, kernel), inputs);
}

/**
 * bench/lib/timing's measure() with a one-call warm-up: GPU kernels need their
 * first dispatch (shader compile) out of the way, not V8's tier-up, and a
 * naive 1024^3 call takes seconds on lavapipe.
 */
async function interleaved(contenders: readonly Contender[], opts: { rounds: number; sampleMs: number }): Promise<Samples> {
  const calls = new Map<Contender, number>();
  for (const c of contenders) {
    await c.time(1);
    calls.set(c, Math.max(1, Math.round(opts.sampleMs / (await c.time(1)))));
  }
  const samples: Samples = new Map(contenders.map((c) => [c.name, []]));
  for (let round = 0; round < opts.rounds; round++) {
    for (const c of contenders) samples.get(c.name)!.push(c.flops / (await c.time(calls.get(c)!)) / 1e6);
  }
  return samples;
}

/** Relative max difference from the reference on a sample of rows: every contender must compute the same product. */
function checkAgainst(problem: MatmulProblem, inputs: Float32Array[], got: Float32Array, tolerance: number): void {
  const want = matmul.reference(problem, inputs);
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]!));
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
  }
  if (!(diff / scale < tolerance)) throw new Error(`a contender at ${problem.shape.m}^3 is off the reference by ${diff / scale}`);
}

/**
 * Speed only (verification comes after, for the winner): the better of two
 * short samples after one warm-up call, GFLOP/s, or 0 if it fails to build.
 */
async function quickGflops(problem: MatmulProblem, g: MatmulWebgpuGenome, inputs: Float32Array[]): Promise<number> {
  let kernel: Kernel | undefined;
  try {
    kernel = await webgpuKernel(device, problem, matmulWgsl(g, problem));
    await kernel.write(inputs);
    const once = await kernel.timeRuns(1);
    const runs = Math.max(1, Math.round(20 / once));
    const ms = Math.min(await kernel.timeRuns(runs), await kernel.timeRuns(runs));
    return matmul.flops(problem) / ms / 1e6;
  } catch (error) {
    log(`  failed: ${(error as Error).message.split('\n')[0]}`);
    return 0;
  } finally {
    await kernel?.dispose();
  }
}

/** Random samples, then mutations of the best few, until the time budget is spent; the best few re-timed together. */
async function search(): Promise<MatmulWebgpuGenome[]> {
  const problem = square(SEARCH_SIZE);
  const inputs = inputsFor(SEARCH_SIZE, 1);
  const space = webgpuMatmulSpace(problem, deviceClass.facts.backend === 'webgpu' ? deviceClass.facts : { features: [], limits: {} });
  const rng = new Rng(2024);
  const seen = new Map<string, { genome: MatmulWebgpuGenome; gflops: number }>();
  const deadline = performance.now() + SEARCH_MS;
  const tryGenome = async (g: MatmulWebgpuGenome) => {
    const key = JSON.stringify(g);
    if (seen.has(key) || performance.now() > deadline) return;
    seen.set(key, { genome: g, gflops: await quickGflops(problem, g, inputs) });
  };
  for (const g of [HAND_8x8, TILED_16]) await tryGenome(g);
  // A few random draws for breadth; most of the budget goes to mutating the best (random genomes are mostly slow).
  for (let i = 0; i < 8; i++) await tryGenome(space.sample(rng));
  while (performance.now() < deadline) {
    const top = [...seen.values()].sort((a, b) => b.gflops - a.gflops).slice(0, 4);
    await tryGenome(space.mutate(rng.pick(top).genome, rng));
  }
  const ranked = [...seen.values()].sort((a, b) => b.gflops - a.gflops);
  const g = ranked.map((r) => r.gflops).filter((x) => x > 0);
  log(`search at ${SEARCH_SIZE}^3: ${seen.size} genomes in ${SEARCH_MS / 1000} s; best ${g[0]?.toFixed(2)}, median ${median(g).toFixed(2)}, worst ${g.at(-1)?.toFixed(2)} GFLOP/s`);
  // Quick timings are noisy: the top five go again, interleaved, before one is chosen.
  const finalists = ranked.slice(0, 5).map((r) => r.genome);
  const contenders = await Promise.all(finalists.map((f, i) => gpuContender(`finalist ${i}`, problem, matmulWgsl(f, problem), inputs)));
  const samples = await interleaved(contenders, { rounds: 5, sampleMs: 40 });
  return finalists.map((f, i) => ({ f, gflops: medianGflops(samples, `finalist ${i}`) })).sort((a, b) => b.gflops - a.gflops).map((x) => x.f);
}

/** The first finalist the WebGPU runner verifies (every verifier stage) and times as faster than the naive baseline. */
async function verified(finalists: MatmulWebgpuGenome[]): Promise<{ genome: MatmulWebgpuGenome; speedup: number }> {
  const runner = await WebgpuRunner.start({ name: 'bench' });
  try {
    for (const [i, g] of finalists.entries()) {
      const result = await runner.evaluate({
        v: PROTOCOL_VERSION,
        kind: 'kernel',
        jobId: `bench-${i}`,
        campaignId: 'bench-webgpu',
        problem: square(SEARCH_SIZE),
        genome: g,
        seed: i,
        budgets: { deadlineMs: 120_000, timingMs: 1500, minSamples: 5, maxSamples: 50 },
      });
      log(`verify finalist ${i}: ${result.status}${result.reason ? ` (${result.reason})` : ''}${result.timing ? `, ${result.timing.speedup.toFixed(2)}x the baseline` : ''}`);
      if (result.status === 'ok') return { genome: g, speedup: result.timing!.speedup };
    }
  } finally {
    await runner.close();
  }
  throw new Error('no finalist passed verification');
}

const NAMES = { naive: 'naive WGSL (16x16, one output per thread)', tiled: 'workgroup-memory tiles 16x16', hand: 'hand-written 8x8 workgroup, 4x4 vec4', evolved: 'best evolved genome', wasm: 'kevo WASM, 1 CPU core' } as const;

async function benchSize(s: number, evolved: MatmulWebgpuGenome, relaxed: boolean): Promise<Samples> {
  const problem = square(s);
  const inputs = inputsFor(s, s);
  const contenders: (Contender & { output(): Promise<Float32Array> })[] = [
    await gpuContender(NAMES.naive, problem, naiveMatmulWgsl(problem), inputs),
    await gpuContender(NAMES.tiled, problem, matmulWgsl(TILED_16, problem), inputs),
    await gpuContender(NAMES.hand, problem, matmulWgsl(HAND_8x8, problem), inputs),
    await gpuContender(NAMES.evolved, problem, matmulWgsl(evolved, problem), inputs),
  ];
  const wasmGenome = { ...defaultWasmGenome(problem), fma: relaxed };
  contenders.push(await kernelContender(NAMES.wasm, problem, await wasmKernel(problem, matmulWat(wasmGenome, problem)), inputs));
  if (s <= 512) {
    for (const c of contenders) checkAgainst(problem, inputs, await c.output(), evolved.precision === 'f16' && c.name === NAMES.evolved ? 5e-2 : 1e-4);
  }
  return interleaved(contenders, { rounds: ROUNDS[s] ?? 3, sampleMs: 50 });
}

function table(rows: Map<number, Samples>): string {
  const header = `| | ${[...rows.keys()].map((s) => `${s}^3`).join(' | ')} |\n|---|${[...rows.keys()].map(() => '---:').join('|')}|`;
  const line = (label: string, cell: (r: Samples) => string) => `| ${label} | ${[...rows.values()].map(cell).join(' | ')} |`;
  return [
    header,
    ...Object.values(NAMES).map((name) => line(name, (r) => medianGflops(r, name).toFixed(2))),
    line('evolved / naive', (r) => `${pairedRatio(r, NAMES.evolved, NAMES.naive).toFixed(2)}x`),
    line('evolved / hand-written', (r) => `${pairedRatio(r, NAMES.evolved, NAMES.hand).toFixed(2)}x`),
    line('evolved / WASM 1 core', (r) => `${pairedRatio(r, NAMES.evolved, NAMES.wasm).toFixed(2)}x`),
  ].join('\n');
}

const relaxed = enableRelaxedSimd();
const finalists = await search();
const evolved = await verified(finalists);
log(`evolved: ${JSON.stringify(evolved.genome)}`);
const rows = new Map<number, Samples>();
for (const s of sizes) {
  const start = performance.now();
  rows.set(s, await benchSize(s, evolved.genome, relaxed));
  log(`${s}^3 timed in ${((performance.now() - start) / 1000).toFixed(1)} s`);
}
process.stdout.write(
  [
    `WebGPU adapter: ${deviceClass.label}; WASM: ${relaxed ? 'relaxed_madd' : 'mul+add'} default genome. GFLOP/s, medians of interleaved samples:`,
    '',
    table(rows),
    '',
    `Evolved genome: \`${JSON.stringify(evolved.genome)}\` (verified by the WebGPU runner at ${SEARCH_SIZE}^3: ${evolved.speedup.toFixed(2)}x the naive baseline in its own side-by-side timing)`,
    '',
  ].join('\n'),
);
device.destroy();
// Dawn keeps the process alive while its instance is reachable.
process.exit(0);
