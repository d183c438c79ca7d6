/**
 * Quantized and reduced-precision matmul on one thread, WASM SIMD
 * (`npm run bench:quant [-- --quick] [-- --only 512^3 | 1x4096x4096] [-- --dtype w4 ...]`): per dtype, kevo's best kernel of an
 * embedded campaign, exported and called through its module's run(), against
 * onnxruntime-web (wasm SIMD, one thread) on the same inputs (a kernel that packs
 * its weights at load time gets them once through setWeights(), timed apart): MatMul for f32,
 * MatMulInteger for i8 and u8i8, MatMulNBits (4 bits) for w4; at 512^3 and at
 * the decode-time GEMV 1x4096x4096, beside a v128 read-bandwidth probe over
 * the GEMV's packed weights (the memory bound a GEMV cannot beat).
 */
import { parseArgs } from 'node:util';
import { findFamily } from '../genome/families/registry.ts';
import { f32 as f32Dtype, type Storage } from '../genome/dtypes/index.ts';
import { opFor, parseProblem, type Problem } from '../genome/ops/index.ts';
import { Rng } from '../lib/rng.ts';
import { randomInputs } from '../verifiers/inputs.ts';
import { readBandwidth } from './lib/bandwidth.ts';
import { disagreement } from './lib/agreement.ts';
import { campaignBest } from './lib/campaign-best.ts';
import { matmulF32Graph, matmulIntegerGraph, matmulNBitsGraph, ortContender, type OrtContender } from './lib/ort.ts';
import { measure, medianGflops, pairedRatio, type Contender } from './lib/timing.ts';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, dtype: { type: 'string', multiple: true } } });
const log = (line: string) => process.stderr.write(`${line}\n`);
const GROUP = 32;
const ALL_SIZES = [
  { name: '512^3', m: 512, n: 512, k: 512 },
  { name: '1x4096x4096', m: 1, n: 4096, k: 4096 },
];
/** `--only 512^3` or `--only 1x4096x4096`: one size (the GEMV's verification alone takes most of a full run). */
const SIZES = args.only === undefined ? ALL_SIZES : ALL_SIZES.filter((s) => s.name === args.only);
if (SIZES.length === 0) {
  process.stderr.write(`--only must be one of ${ALL_SIZES.map((s) => s.name).join(', ')}, got ${args.only}\n`);
  process.exit(2);
}
/** i16-out16: i16 requantized to i16 (C and c_shift), beside i16's i32 output. */
const DTYPES = ['f32', 'i8', 'u8i8', 'i16', 'i16-out16', 'w4', 'w4a8', 'f16'] as const;
type Dtype = (typeof DTYPES)[number];
const grouped = (dtype: Dtype) => dtype === 'w4' || dtype === 'w4a8';
const scheme = (dtype: Dtype) => (dtype === 'i16-out16' ? 'i16' : dtype);

const entry = (dtype: Dtype, size: (typeof SIZES)[number]) => ({
  op: 'matmul',
  shape: `${size.m}x${size.n}x${size.k}`,
  // f32: B fixed, as the peer's B is an initializer (the other schemes' weights are fixed by default)
  ...(dtype === 'f32' ? { weights: 'fixed' } : { dtype: scheme(dtype) }),
  ...(dtype === 'i16-out16' ? { output: 'i16' } : {}),
  ...(grouped(dtype) ? { group: GROUP } : {}),
});

/** The dtypes this checkout has a WASM kernel family for (`--dtype w4 --dtype i8`: those only): the others are reported as not built. */
const asked = args.dtype ?? [...DTYPES];
const unknown = asked.filter((d) => !(DTYPES as readonly string[]).includes(d));
if (unknown.length > 0) {
  process.stderr.write(`--dtype must be one of ${DTYPES.join(', ')}, got ${unknown.join(', ')}\n`);
  process.exit(2);
}
const built = DTYPES.filter((d) => asked.includes(d) && findFamily('matmul', 'wasm', scheme(d)) !== undefined);
log(`dtypes run: ${built.join(', ')}; not run (not asked, or no WASM family): ${DTYPES.filter((d) => !built.includes(d)).join(', ') || 'none'}`);
/** The GEMV runs only the dtypes with a peer there (ORT has no w4a8, i16 or f16 kernel): each of its verifications draws 16M weights some twenty times. */
const PEERED: readonly Dtype[] = ['f32', 'i8', 'u8i8', 'w4'];
const entries = built.flatMap((dtype) => SIZES.filter((size) => size.m > 1 || PEERED.includes(dtype)).map((size) => ({ dtype, size, entry: entry(dtype, size) })));
// The campaign's budget is per problem: a run with the GEMV keeps it to the 4-bit family's two GEMV seeds
// (inline, one column or a 4x2 tile) and the others' first two, and gives verification time (a loaded machine's
// share of 16M-weight draws).
const gemv = SIZES.some((s) => s.m === 1);
const evaluations = gemv ? 2 : args.quick ? 4 : 12;
log(`campaign over ${entries.length} problems, ${evaluations} evaluations each`);
const { bests, close } = await campaignBest({ name: 'bench:quant', problems: entries.map((e) => e.entry), backend: 'wasm', budget: { evaluations }, timing: { deadlineMs: gemv ? 900_000 : 300_000 } }, log);

/** The peer for a dtype on the same inputs (kevo's ABI order), or undefined where onnxruntime-web has no such operator. */
async function peer(dtype: Dtype, problem: Problem, inputs: readonly Storage[]): Promise<OrtContender | undefined> {
  const { m, n, k } = problem.shape as { m: number; n: number; k: number };
  const flops = opFor(problem).flops(problem);
  if (dtype === 'f32') return ortContender('onnxruntime-web MatMul', matmulF32Graph(m, n, k, inputs[1] as Float32Array), { A: { data: inputs[0] as Float32Array, dims: [m, k] } }, flops);
  if (dtype === 'u8i8') {
    const [a, za, b, zb] = inputs as [Uint8Array, Uint8Array, Int8Array, Int8Array];
    return ortContender('onnxruntime-web MatMulInteger', matmulIntegerGraph(m, n, k, 'uint8', b, za[0]!, zb[0]!), { A: { data: a, dims: [m, k] } }, flops);
  }
  if (dtype === 'i8') {
    const [a, b] = inputs as [Int8Array, Int8Array];
    return ortContender('onnxruntime-web MatMulInteger (s8s8)', matmulIntegerGraph(m, n, k, 'int8', b, 0, 0), { A: { data: a, dims: [m, k] } }, flops);
  }
  if (dtype === 'w4') {
    const [a, packed, scales, zeroPoints] = inputs as [Float32Array, Uint8Array, Float32Array, Uint8Array | undefined];
    return ortContender('onnxruntime-web MatMulNBits', matmulNBitsGraph(m, n, k, GROUP, packed, scales, zeroPoints), { A: { data: a, dims: [m, k] } }, flops);
  }
  return undefined;
}


/** The issue's goals against the peer: i8 and u8i8 1.5x MatMulInteger at 512^3; w4 2x MatMulNBits there and 10x at the GEMV. */
function goalFor(dtype: Dtype, m: number): number | undefined {
  if (m === 1) return dtype === 'w4' ? 10 : undefined;
  return ({ i8: 1.5, u8i8: 1.5, w4: 2 } as Partial<Record<Dtype, number>>)[dtype];
}

const table: string[] = [];
const goals: string[] = [];
const gflopsOf: Record<string, number> = {};
for (const [i, { dtype, size }] of entries.entries()) {
  const best = bests[i]!;
  const problem = parseProblem(best.problem);
  const inputs = randomInputs(problem, 'normal', new Rng(5), f32Dtype.limits);
  const kevo = best.contender(`kevo ${dtype}`, inputs);
  const contenders: Contender[] = [kevo];
  const ort = await peer(dtype, problem, inputs);
  if (ort) {
    const off = disagreement(kevo.output(), await ort.output());
    // Integer outputs are exact; float ones (f32, w4) round differently per kernel, within f32's error over K.
    if (!(off <= (['i8', 'u8i8', 'i16'].includes(dtype) ? 0 : 1e-4))) throw new Error(`${dtype} ${size.name}: kevo and ${ort.name} disagree (max relative difference ${off.toExponential(2)})`);
    contenders.push(ort);
  }
  const bandwidth = dtype === 'w4' && size.m === 1 ? await readBandwidth(inputs.slice(1).reduce((sum, t) => sum + t.byteLength, 0)) : undefined;
  if (bandwidth) contenders.push(bandwidth);
  const samples = await measure(contenders, { rounds: args.quick ? 3 : 7, sampleMs: size.m === 1 ? 40 : 80 });
  const gops = medianGflops(samples, kevo.name);
  gflopsOf[`${dtype} ${size.name}`] = gops;
  const ratio = ort ? pairedRatio(samples, kevo.name, ort.name) : undefined;
  // The load-time pack (setWeights(), once, cold: what a user pays per model load) is not in the per-call time.
  let note = kevo.prepareMs === undefined ? '' : `weights packed at load in ${kevo.prepareMs.toFixed(2)} ms; `;
  if (bandwidth) {
    // GB/s of the probe over the bytes of the GEMV's weights: the time a GEMV that reads them once cannot beat.
    const boundMs = bandwidth.flops / medianGflops(samples, bandwidth.name) / 1e6;
    const kevoMs = kevo.flops / gops / 1e6;
    note += `read-bandwidth bound ${boundMs.toFixed(3)} ms (${medianGflops(samples, bandwidth.name).toFixed(0)} GB/s), kevo at ${((100 * boundMs) / kevoMs).toFixed(0)}% of it`;
    goals.push(`w4 ${size.name}: ${((100 * boundMs) / kevoMs).toFixed(0)}% of the read-bandwidth bound (goal 50%) ${boundMs / kevoMs >= 0.5 ? 'met' : 'NOT met'}`);
  }
  table.push(`| ${dtype} | ${size.name} | ${gops.toFixed(1)} | ${ort ? `${medianGflops(samples, ort.name).toFixed(1)} (${ort.name.replace('onnxruntime-web ', '')})` : 'none'} | ${ratio ? `${ratio.toFixed(2)}x` : '-'} | ${best.best.speedup.toFixed(2)}x | ${note} |`);
  log(table.at(-1)!);
  log(`  kevo's kernel: ${JSON.stringify(best.best.genome)}`);
  const goal = goalFor(dtype, size.m);
  if (ratio !== undefined && goal !== undefined) goals.push(`${dtype} ${size.name}: ${ratio.toFixed(2)}x ${ort!.name} (goal ${goal}x) ${ratio >= goal ? 'met' : 'NOT met'}`);
}
const i16 = gflopsOf['i16 512^3'];
const f32 = gflopsOf['f32 512^3'];
if (i16 !== undefined && f32 !== undefined) goals.push(`i16 DFP 512^3: ${(i16 / f32).toFixed(2)}x kevo's best f32 in MAC/s (goal 1.6x) ${i16 / f32 >= 1.6 ? 'met' : 'NOT met'} (medians of separate runs)`);
const requantized = gflopsOf['i16-out16 512^3'];
if (i16 !== undefined && requantized !== undefined) goals.push(`i16 requantized to i16 at 512^3: ${(requantized / i16).toFixed(2)}x i16 with i32 output in MAC/s (medians of separate runs)`);

console.log(`\nMatmul per dtype, one thread, GOP/s (kevo's best of a ${evaluations}-evaluation campaign, called through its exported run()); group ${GROUP} for 4-bit\n`);
console.log('| dtype | shape | kevo | onnxruntime-web | kevo / ORT | kevo / kevo baseline | |');
console.log('|---|---|---|---|---|---|---|');
for (const row of table) console.log(row);
console.log('\nGoals:');
for (const g of goals) console.log(`  ${g}`);
close();
