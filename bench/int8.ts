/**
 * The int8 family's kernels timed directly (`npm run bench:int8 -- [u8i8|i8|i16] [MxNxK] [genome JSON ...]`):
 * each seed (and each genome given) through the worker's WASM runner, without a campaign (a loaded
 * machine's minutes go into timing only), interleaved by CPU time with the peer on the same inputs:
 * onnxruntime-web's MatMulInteger for i8 and u8i8; for i16 (whose goal is in MAC/s against f32)
 * the f32 WASM family's seeds on the same shape. Ratios are paired per round.
 */
import { loadavg } from 'node:os';
import { familyFor } from '../genome/families/registry.ts';
import { WasmLaunch } from '../genome/families/launch.ts';
import { f32 as f32Dtype } from '../genome/dtypes/index.ts';
import { problemFrom } from '../genome/ops/index.ts';
import type { MatmulProblem } from '../genome/ops/matmul-problem.ts';
import { Rng } from '../lib/rng.ts';
import { randomInputs } from '../verifiers/inputs.ts';
import { enableRelaxedSimd } from '../worker/wasm/features.ts';
import { wasmKernel } from '../worker/wasm/kernel.ts';
import { disagreement } from './lib/agreement.ts';
import { matmulIntegerGraph, ortContender } from './lib/ort.ts';
import { measure, medianGflops, pairedRatio, type Contender } from './lib/timing.ts';

const dtype = process.argv[2] ?? 'u8i8';
const shape = process.argv[3] ?? '512x512x512';
const problem = problemFrom('matmul', shape, { dtype }) as MatmulProblem;
const { m, n, k } = problem.shape;
// Relaxed SIMD on where this Node allows it, so f32's FMA seeds (its fastest) are i16's peer; the int8 family does not use it.
const device = { id: 'bench', label: 'bench', facts: { backend: 'wasm', relaxedSimd: enableRelaxedSimd() } } as const;
const family = familyFor('matmul', 'wasm', dtype);
const genomes = [...family.space(problem, device).seeds!(), ...process.argv.slice(4).map((g) => JSON.parse(g))];
const inputs = randomInputs(problem, 'normal', new Rng(5), f32Dtype.limits);
const flops = 2 * m * n * k;
const contenders: Contender[] = [];
let reference: ArrayLike<number> | undefined;
for (const genome of genomes) {
  const code = family.code(genome, problem);
  const kernel = await wasmKernel(problem, code.text, WasmLaunch.parse(code.launch));
  await kernel.write(inputs);
  await kernel.run();
  const [out] = await kernel.readOutputs();
  if (reference && disagreement(out, reference) !== 0) throw new Error(`${family.describe(genome)} disagrees with the first seed`);
  reference ??= out;
  // The first (cold) load-time pack, what a user pays per model load.
  contenders.push({ name: `${family.describe(genome)} [B packed in ${kernel.prepareMs()?.toFixed(1)} ms]`, flops, time: (times) => kernel.timeRuns(times) });
}
if (dtype === 'u8i8' || dtype === 'i8') {
  const [a, za, b, zb] = (dtype === 'u8i8' ? inputs : [inputs[0], new Uint8Array(1), inputs[1], new Int8Array(1)]) as [Uint8Array, Uint8Array, Int8Array, Int8Array];
  const ort = await ortContender('MatMulInteger', matmulIntegerGraph(m, n, k, dtype === 'u8i8' ? 'uint8' : 'int8', b, za[0]!, zb[0]!), { A: { data: a, dims: [m, k] } }, flops);
  if (disagreement(await ort.output(), reference!) !== 0) throw new Error('kevo and MatMulInteger disagree');
  contenders.push(ort);
}
if (dtype === 'i16') {
  // f32 with B fixed, as i16's is: both may pack B once, at load
  const f32Problem = problemFrom('matmul', shape, { weights: 'fixed' }) as MatmulProblem;
  const f32Family = familyFor('matmul', 'wasm', 'f32');
  const f32Inputs = randomInputs(f32Problem, 'normal', new Rng(5), f32Dtype.limits);
  for (const genome of f32Family.space(f32Problem, device).seeds!().slice(0, 4)) {
    const code = f32Family.code(genome, f32Problem);
    const kernel = await wasmKernel(f32Problem, code.text, WasmLaunch.parse(code.launch));
    await kernel.write(f32Inputs);
    contenders.push({ name: `f32 ${f32Family.describe(genome)}`, flops, time: (times) => kernel.timeRuns(times) });
  }
}
const samples = await measure(contenders, { rounds: 7, sampleMs: 80 });
const peers = contenders.filter((c) => c.name === 'MatMulInteger' || c.name.startsWith('f32 '));
// The fastest peer (median) is the one each ratio is paired with.
const peer = peers.sort((a, b) => medianGflops(samples, b.name) - medianGflops(samples, a.name))[0];
console.log(`${dtype} ${shape}, load ${loadavg()[0]!.toFixed(2)}: GOP/s${peer ? `, ratio to ${peer.name}` : ''}`);
for (const c of contenders) console.log(`  ${c.name}: ${medianGflops(samples, c.name).toFixed(1)}${peer && c !== peer ? `  ${pairedRatio(samples, c.name, peer.name).toFixed(2)}x` : ''}`);
