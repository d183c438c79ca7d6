/**
 * The accuracy-vs-speed front of the WASM precision family on one thread
 * (`npm run bench:front [-- --gemv 2048] [-- --accuracy 0.1] [-- --only 37x53x40]`):
 * per shape, the first seed of each precision (f32, f16, i8, w4 in groups of
 * 32: what a campaign starts from) and the f32 baseline, each run on the same
 * normal inputs with its weights (B) fixed (`weights: fixed`) and written once, so a precision's load-time
 * quantization is done before timing, as a campaign times it. Per precision:
 * the measured max error relative to the output's scale (max |C - C_ref| /
 * max_ij sum_k |A||B|, the f64 reference of the f32 inputs, the harness's
 * measure) and GFLOP/s by CPU time, interleaved, with ratios paired per
 * round to the f32 seed and to the baseline; then the Pareto front of
 * (error, speedup over the baseline), as `kevo best --front` builds it.
 */
import { parseArgs } from 'node:util';
import { paretoFront } from '../coordinator/store/front.ts';
import { matmulPrecisionWasm } from '../genome/families/matmul-precision-wasm.ts';
import type { WasmLaunch } from '../genome/families/launch.ts';
import { f32 as f32Dtype } from '../genome/dtypes/index.ts';
import { opFor, parseProblem } from '../genome/ops/index.ts';
import type { MatmulProblem } from '../genome/ops/matmul-problem.ts';
import { MatmulPrecisionWasmGenome, type PrecisionGene } from '../genome/wasm/precision/genome.ts';
import { Rng } from '../lib/rng.ts';
import { randomInputs } from '../verifiers/inputs.ts';
import { enableRelaxedSimd } from '../worker/wasm/features.ts';
import { wasmKernel } from '../worker/wasm/kernel.ts';
import { kernelContender } from './lib/kernel-contender.ts';
import { measure, medianGflops, pairedRatio, type Contender } from './lib/timing.ts';

const { values: args } = parseArgs({ options: { gemv: { type: 'string', default: '4096' }, accuracy: { type: 'string', default: '0.1' }, only: { type: 'string' } } });
const gemv = Number(args.gemv);
const accuracy = Number(args.accuracy);
const shapes = ['37x53x40', '512x512x512', `1x${gemv}x${gemv}`].filter((s) => args.only === undefined || s === args.only);
// As a worker does: relaxed SIMD on where the runtime has it, so the seeds take their fma forms.
const device = { id: 'bench', label: 'bench', facts: { backend: 'wasm', relaxedSimd: enableRelaxedSimd() } } as const;
const PRECISIONS: readonly PrecisionGene[] = ['f32', 'f16', 'i8', 'w4'];
const log = (line: string) => process.stderr.write(`${line}\n`);
const loadavg = async () => (await import('node:fs/promises')).readFile('/proc/loadavg', 'utf8').then((s) => s.split(' ').slice(0, 3).join(' '));

/** max |got - want| over the largest magnitude bound: the error in the accuracy contract's terms. */
function measuredError(problem: MatmulProblem, inputs: Float32Array[], got: Float32Array): number {
  const op = opFor(problem);
  const want = op.reference(problem, inputs);
  const scale = op.magnitude(problem, inputs).reduce((a, b) => Math.max(a, b), 0);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  return worst / scale;
}

for (const shape of shapes) {
  const [m, n, k] = shape.split('x').map(Number) as [number, number, number];
  const problem = parseProblem({ op: 'matmul', shape: { m, n, k }, accuracy, weights: 'fixed' }) as MatmulProblem;
  const seeds = matmulPrecisionWasm.space(problem, device).seeds!().map((g) => MatmulPrecisionWasmGenome.parse(g));
  const inputs = randomInputs(problem, 'normal', new Rng(1), f32Dtype.limits) as Float32Array[];
  const rows: { name: string; precision: string; error: number; contender: Contender; prepareMs: number | undefined }[] = [];
  const baselineCode = matmulPrecisionWasm.baseline(problem);
  const baseline = await kernelContender('baseline', problem, await wasmKernel(problem, baselineCode.text, baselineCode.launch as WasmLaunch), inputs);
  for (const precision of PRECISIONS) {
    const genome = seeds.find((g) => g.precision === precision)!;
    const code = matmulPrecisionWasm.code(genome, problem);
    const kernel = await wasmKernel(problem, code.text, code.launch as WasmLaunch);
    const contender = await kernelContender(precision, problem, kernel, inputs);
    rows.push({ name: matmulPrecisionWasm.describe(genome), precision, error: measuredError(problem, inputs, await contender.output()), contender, prepareMs: kernel.prepareMs() });
  }
  const samples = await measure([baseline, ...rows.map((r) => r.contender)], { rounds: shape === shapes[0] ? 9 : 5, sampleMs: 80 });
  const points = rows.map((r) => ({ ...r, gflops: medianGflops(samples, r.precision), speedup: pairedRatio(samples, r.precision, 'baseline'), vsF32: pairedRatio(samples, r.precision, 'f32') }));
  // A point past the bound breaks the contract: the harness rejects it, so it is not on the front.
  const front = paretoFront(points.filter((p) => p.error <= accuracy));
  console.log(`\n${shape}, accuracy ${accuracy}, relaxed SIMD ${device.facts.relaxedSimd}, load ${await loadavg()}; baseline ${medianGflops(samples, 'baseline').toFixed(2)} GFLOP/s`);
  console.log('precision | max error | GFLOP/s | vs f32 seed | vs baseline | load-time ms | on front | kernel');
  for (const p of points) {
    const passes = p.error <= accuracy ? '' : ' (over the bound)';
    console.log(`${p.precision} | ${p.error.toExponential(2)}${passes} | ${p.gflops.toFixed(2)} | ${p.vsF32.toFixed(2)}x | ${p.speedup.toFixed(2)}x | ${p.prepareMs?.toFixed(1) ?? '-'} | ${front.includes(p) ? 'yes' : 'no'} | ${p.name}`);
  }
  const nonF32 = front.filter((p) => p.precision !== 'f32').map((p) => p.precision);
  console.log(`front: ${front.map((p) => p.precision).join(' -> ')}; non-f32 points on it: ${nonF32.length > 0 ? nonF32.join(', ') : 'none'}`);
  log(`${shape} done`);
}
