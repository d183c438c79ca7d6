/**
 * GEMM on one thread, WASM SIMD: naive JS, the baseline kernel, the best
 * genomes of a bounded sweep (mul+add and relaxed_madd), XNNPACK through
 * tfjs-backend-wasm, and the single-core 128-bit ceilings, interleaved,
 * medians; then the best kernel through its exported module's run(), as a
 * user calls it, against its own entry. `npm run bench [-- --quick]`.
 */
import { parseArgs } from 'node:util';
import type { MatmulProblem } from '../genome/ops/matmul-problem.ts';
import { baselineWat } from '../genome/wasm/baseline.ts';
import { wasmMatmulSpace } from '../genome/wasm/space.ts';
import { matmulWasm } from '../genome/families/matmul-wasm.ts';
import type { MatmulWasmGenome } from '../genome/wasm/genome.ts';
import { genomeHash } from '../genome/genome.ts';
import { Rng } from '../lib/rng.ts';
import { enableRelaxedSimd } from '../worker/wasm/features.ts';
import { wasmKernel } from '../worker/wasm/kernel.ts';
import { exportContenders } from './lib/export-contender.ts';
import { f32Kernel, kernelContender } from './lib/kernel-contender.ts';
import { naiveJs } from './lib/naive.ts';
import { peakContender } from './lib/peak-contender.ts';
import { sweep, type SweepResult } from './lib/sweep.ts';
import { measure, medianGflops, pairedRatio, type Contender, type Samples } from './lib/timing.ts';
import { xnnpackMatmul } from './lib/xnnpack.ts';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, 'sweep-size': { type: 'string', default: '256' } } });
const sizes = args.quick ? [128, 256] : [128, 256, 512, 1024];
/** Where the sweep runs: 256 by default; `--sweep-size 512` sweeps where the issue's goals are set (8x the time per genome). */
const SWEEP_SIZE = Number(args['sweep-size']);
if (!Number.isInteger(SWEEP_SIZE) || SWEEP_SIZE < 16 || SWEEP_SIZE > 2048) {
  process.stderr.write(`--sweep-size must be an integer from 16 to 2048, got ${args['sweep-size']}\n`);
  process.exit(2);
}
const SWEEP_COUNT = args.quick ? 10 : 32;
/** Where the exported module's run() is timed against the kernel's own entry (the issue's goals: 15% and 5% over). */
const EXPORT_SIZES = [128, 512];
const KEEP = 3;

// B fixed, as XNNPACK (through tfjs) packs it once per weights tensor: kevo's kernels may pack it at load too.
const square = (s: number): MatmulProblem => ({ op: 'matmul', shape: { m: s, n: s, k: s }, dtype: 'f32', weights: 'fixed' });
const randomInputs = (s: number, seed: number) => {
  const rng = new Rng(seed);
  return [0, 1].map(() => Float32Array.from({ length: s * s }, () => rng.normal()));
};
const log = (line: string) => process.stderr.write(`${line}\n`);

const relaxedSimd = enableRelaxedSimd();
log(`relaxed SIMD: ${relaxedSimd ? 'on' : 'unavailable (no FMA rows)'}`);

async function sweepBoth(): Promise<{ plain: SweepResult[]; fma: SweepResult[] }> {
  const problem = square(SWEEP_SIZE);
  const inputs = randomInputs(SWEEP_SIZE, 1);
  const starts = wasmMatmulSpace(problem, { relaxedSimd }, { packBAtLoad: true }).seeds!();
  const startsOf = (fma: boolean) => starts.filter((g) => g.fma === fma);
  const plain = await sweep(problem, { count: SWEEP_COUNT, fma: false, seed: 11, seeds: startsOf(false), inputs });
  const fma = relaxedSimd ? await sweep(problem, { count: SWEEP_COUNT, fma: true, seed: 12, seeds: startsOf(true), inputs }) : [];
  for (const [name, results] of [['mul+add', plain], ['relaxed_madd', fma]] as const) {
    if (results.length === 0) continue;
    const g = results.map((r) => r.gflops);
    log(`sweep ${name} at ${SWEEP_SIZE}^3, ${g.length} genomes: best ${g[0]!.toFixed(1)}, median ${g[g.length >> 1]!.toFixed(1)}, worst ${g.at(-1)!.toFixed(1)} GFLOP/s`);
  }
  // the hand-picked starts always go on: a noisy sweep must not lose a known-good kernel
  const startHashes = new Set(starts.map(genomeHash));
  const keep = (results: SweepResult[]) => {
    const twinned = new Set([results[0], results.find((r) => startHashes.has(genomeHash(r.genome)))]);
    return [...results.filter((r, i) => i < KEEP || startHashes.has(genomeHash(r.genome))), ...[...twinned].flatMap((r) => scheduleTwins(problem, r))];
  };
  return { plain: keep(plain), fma: keep(fma) };
}

/**
 * A kernel (the sweep's best, its best start) with the other aLoad, with the
 * other k loop form (counted or ending on B's pointer), with A four k a load
 * (k-shuffle, or back to splat), and with its k loop
 * unrolled 4 times, once at constant offsets and once with the pointers
 * bumped per step, so the same run times the schedule genes side by side on
 * the best tiles and blocks.
 */
function scheduleTwins(problem: MatmulProblem, best: SweepResult | undefined): SweepResult[] {
  if (!best) return [];
  const space = wasmMatmulSpace(problem, { relaxedSimd }, { packBAtLoad: true });
  const { addressing: _addressing, aLoad, kLoop, ...offset } = best.genome;
  const otherLoad = aLoad === 'preload' ? offset : { ...offset, aLoad: 'preload' as const };
  const otherLoop = kLoop === 'end' ? { ...best.genome, kLoop: undefined } : { ...best.genome, kLoop: 'end' as const };
  const kShuffled = { ...best.genome, aBroadcast: best.genome.aBroadcast === 'k-shuffle' ? undefined : ('k-shuffle' as const) };
  const twins = [otherLoad, otherLoop, kShuffled, { ...offset, kUnroll: 4 }, { ...offset, kUnroll: 4, addressing: 'bump' as const }].map((g) => space.repair(g)).filter((g): g is MatmulWasmGenome => g !== null && space.check(g) === null);
  return twins.filter((g) => genomeHash(g) !== genomeHash(best.genome)).map((genome) => ({ genome, gflops: Number.NaN })); // not swept: timed only in the table
}

/** Largest relative difference from the baseline's C: a sanity check that every contender computed the same product. */
function maxRelativeDiff(got: Float32Array, want: Float32Array): number {
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]!));
    diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
  }
  return diff / scale;
}

interface Row {
  readonly samples: Samples;
  /** naive JS is timed on its own (it is too slow to interleave): GFLOP/s. */
  readonly naive: number;
  /** Contender names in `samples`; the best genome of each kind, if any. */
  readonly names: { baseline: string; xnnpack: string; ceilingPlain: string; ceilingFma?: string; plain?: string; fma?: string };
  readonly plainGenome?: MatmulWasmGenome;
  readonly fmaGenome?: MatmulWasmGenome;
  /** Every kept genome by its contender name: the starts beside the sweep's best show what a gene moved. */
  readonly kept: readonly { readonly name: string; readonly genome: MatmulWasmGenome }[];
}

async function benchSize(s: number, kept: { plain: SweepResult[]; fma: SweepResult[] }, ceilings: Contender[]): Promise<Row> {
  const problem = square(s);
  const inputs = randomInputs(s, s);
  const baseline = await kernelContender('baseline', problem, await wasmKernel(problem, baselineWat(problem)), inputs);
  const want = await baseline.output();
  const genomes = [...kept.plain, ...kept.fma].map((r) => r.genome);
  const candidates = await Promise.all(
    genomes.map(async (g, i) => ({ genome: g, contender: await kernelContender(`genome ${i}`, problem, await f32Kernel(problem, g), inputs) })),
  );
  const xnnpack = await xnnpackMatmul(s, s, s, inputs[0]!, inputs[1]!);
  for (const [name, output] of [...candidates.map((c) => [c.contender.name, c.contender.output()] as const), ['XNNPACK', Promise.resolve(xnnpack.output())] as const]) {
    const diff = maxRelativeDiff(await output, want);
    if (!(diff < 1e-4)) throw new Error(`${name} at ${s}^3 differs from the baseline by ${diff}`);
  }
  const samples = await measure([baseline, ...candidates.map((c) => c.contender), xnnpack, ...ceilings], { rounds: 9, sampleMs: 30 });
  const naiveRows = Math.min(s, Math.max(1, Math.floor(2 ** 24 / (s * s))));
  const naive = medianGflops(await measure([naiveJs(s, s, s, inputs[0]!, inputs[1]!, naiveRows)], { rounds: 3, sampleMs: 40 }), 'naive JS');
  const best = (fma: boolean) =>
    candidates
      .filter((c) => c.genome.fma === fma)
      .map((c) => ({ genome: c.genome, name: c.contender.name, gflops: medianGflops(samples, c.contender.name) }))
      .sort((a, b) => b.gflops - a.gflops)[0];
  const plain = best(false);
  const fma = best(true);
  return {
    samples,
    naive,
    names: { baseline: baseline.name, xnnpack: xnnpack.name, ceilingPlain: ceilings[0]!.name, ceilingFma: ceilings[1]?.name, plain: plain?.name, fma: fma?.name },
    plainGenome: plain?.genome,
    fmaGenome: fma?.genome,
    kept: candidates.map((c) => ({ name: c.contender.name, genome: c.genome })),
  };
}

function table(rows: Map<number, Row>): string {
  const header = `| | ${[...rows.keys()].map((s) => `${s}^3`).join(' | ')} |\n|---|${[...rows.keys()].map(() => '---:').join('|')}|`;
  const line = (label: string, cell: (r: Row) => string) => `| ${label} | ${[...rows.values()].map(cell).join(' | ')} |`;
  const g = (pick: (n: Row['names']) => string | undefined) => (r: Row) => {
    const name = pick(r.names);
    return name ? medianGflops(r.samples, name).toFixed(1) : '-';
  };
  const ratio = (a: (n: Row['names']) => string | undefined, b: (n: Row['names']) => string | undefined, percent = false) => (r: Row) => {
    const [x, y] = [a(r.names), b(r.names)];
    if (!x || !y) return '-';
    const v = pairedRatio(r.samples, x, y);
    return percent ? `${(100 * v).toFixed(0)}%` : `${v.toFixed(2)}x`;
  };
  return [
    'GFLOP/s per CPU-second of the bench thread (median of 9 interleaved samples):',
    '',
    header,
    line('naive JS (i-j-k)', (r) => r.naive.toFixed(2)),
    line('baseline kernel (i-k-j, f32x4)', g((n) => n.baseline)),
    line('XNNPACK, tfjs-backend-wasm, 1 thread', g((n) => n.xnnpack)),
    line('best genome, mul+add', g((n) => n.plain)),
    line('best genome, relaxed_madd', g((n) => n.fma)),
    line('ceiling: f32x4 mul+add', g((n) => n.ceilingPlain)),
    line('ceiling: f32x4.relaxed_madd', g((n) => n.ceilingFma)),
    '',
    'Ratios (median of per-round ratios, each round timing every contender back to back):',
    '',
    header,
    line('best mul+add / XNNPACK', ratio((n) => n.plain, (n) => n.xnnpack)),
    line('best mul+add / mul+add ceiling', ratio((n) => n.plain, (n) => n.ceilingPlain, true)),
    line('best relaxed_madd / XNNPACK', ratio((n) => n.fma, (n) => n.xnnpack)),
    line('best relaxed_madd / FMA ceiling', ratio((n) => n.fma, (n) => n.ceilingFma, true)),
    line('best mul+add / baseline', ratio((n) => n.plain, (n) => n.baseline)),
    line('best relaxed_madd / baseline', ratio((n) => n.fma, (n) => n.baseline)),
    line('baseline / naive JS (not interleaved)', (r) => `${(medianGflops(r.samples, r.names.baseline) / r.naive).toFixed(0)}x`),
  ].join('\n');
}

const describe = (g: MatmulWasmGenome | undefined) =>
  g
    ? `${g.mr}x${g.nr} k-unroll ${g.kUnroll}${g.addressing === 'bump' ? ' bumped' : ''}, mc ${g.mc} kc ${g.kc} nc ${g.nc}, ${g.loopOrder}, A ${g.packA ? 'packed' : 'unpacked'}${g.aBroadcast === 'shuffle' ? ' shuffled' : g.aBroadcast === 'k-shuffle' ? ' k-shuffled' : ''}${g.aLoad === 'preload' ? ' preloaded' : ''}${g.kLoop === 'end' ? ' end-pointer' : ''}, B ${g.packB === 'load' ? 'packed at load' : g.packB ? 'packed' : 'unpacked'}`
    : '-';

const kept = await sweepBoth();
const ceilings = [await peakContender(false), ...(relaxedSimd ? [await peakContender(true)] : [])];
const rows = new Map<number, Row>();
for (const s of sizes) {
  log(`timing ${s}^3`);
  rows.set(s, await benchSize(s, kept, ceilings));
}
console.log(table(rows));
console.log('\nWinning genomes:\n');
for (const [s, r] of rows) console.log(`- ${s}^3: mul+add ${describe(r.plainGenome)}; relaxed_madd ${describe(r.fmaGenome)}`);
console.log('\nEvery kept genome (the starts and the sweep\'s best), GFLOP/s and / XNNPACK per size:\n');
for (const [s, r] of rows)
  for (const { name, genome } of r.kept)
    console.log(`- ${s}^3 ${genome.fma ? 'relaxed_madd' : 'mul+add'} ${describe(genome)}: ${medianGflops(r.samples, name).toFixed(1)}, ${pairedRatio(r.samples, name, r.names.xnnpack).toFixed(2)}x`);

/** The best kernel's entry against its exported module's run(), interleaved; overhead = entry GFLOP/s / run() GFLOP/s - 1. */
async function exportOverhead(genome: MatmulWasmGenome): Promise<string> {
  const lines = ['| | ' + EXPORT_SIZES.map((s) => `${s}^3`).join(' | ') + ' |', `|---|${EXPORT_SIZES.map(() => '---:').join('|')}|`];
  const cells = new Map<string, string[]>();
  for (const s of EXPORT_SIZES) {
    log(`timing the exported module at ${s}^3`);
    const problem = square(s);
    const inputs = randomInputs(s, s);
    const entry = await kernelContender('kernel entry (GFLOP/s)', problem, await f32Kernel(problem, genome), inputs);
    const exported = await exportContenders(problem, matmulWasm.code(genome, problem), inputs);
    const samples = await measure([entry, ...exported], { rounds: 15, sampleMs: 50 });
    const add = (label: string, cell: string) => cells.set(label, [...(cells.get(label) ?? []), cell]);
    add(entry.name, medianGflops(samples, entry.name).toFixed(1));
    for (const c of exported) add(`${c.name}: overhead`, `${(100 * (pairedRatio(samples, entry.name, c.name) - 1)).toFixed(1)}%`);
  }
  for (const [label, row] of cells) lines.push(`| ${label} | ${row.join(' | ')} |`);
  return lines.join('\n');
}

const exportedGenome = rows.get(SWEEP_SIZE)?.fmaGenome ?? rows.get(SWEEP_SIZE)?.plainGenome ?? kept.fma[0]?.genome ?? kept.plain[0]!.genome;
console.log(`\nThe best kernel (${describe(exportedGenome)}${exportedGenome.fma ? ', relaxed_madd' : ''}) through its exported module's run(), against its own entry (median of per-round ratios):\n`);
console.log(await exportOverhead(exportedGenome));
