/**
 * Fused matmul epilogues, f32, one thread, one run (`npm run bench:fusion`):
 * WASM kevo fused (bias+relu, bias+gelu) against kevo's unfused pipeline (the
 * same tuned matmul, then one pass over C per stage) and XNNPACK's fused
 * matmul (tf.fused.matMul with bias and relu); on WebGPU (lavapipe here)
 * fused against unfused. Every contender's C is checked against the f64
 * reference on a sample first. Interleaved rounds, medians of per-round ratios.
 */
import { familyFor } from '../genome/families/registry.ts';
import { WasmLaunch, WebgpuLaunch } from '../genome/families/launch.ts';
import { opFor, parseProblem, type Problem } from '../genome/ops/index.ts';
import { Rng } from '../lib/rng.ts';
import type { DeviceClass } from '../protocol/device.ts';
import type { Kernel } from '../verifiers/kernel.ts';
import { cpuDeviceClass } from '../worker/device.ts';
import { enableRelaxedSimd } from '../worker/wasm/features.ts';
import { wasmKernel } from '../worker/wasm/kernel.ts';
import { gpuDeviceClass, gpuFacts } from '../worker/webgpu/device.ts';
import { openDevice, requestAdapter } from '../worker/webgpu/gpu.ts';
import { webgpuKernel } from '../worker/webgpu/kernel.ts';
import { measure, measureGpu, medianGflops, pairedRatio, type Contender, type Samples } from './lib/timing.ts';
import { xnnpackFusedMatmul } from './lib/xnnpack-fused.ts';

const SIZES = [
  { m: 512, n: 512, k: 512 },
  { m: 1024, n: 1024, k: 64 },
];
const EPILOGUES = [['bias', 'relu'], ['bias', 'gelu']];
const log = (line: string) => process.stderr.write(`${line}\n`);
const relaxed = enableRelaxedSimd();
const cpu = await cpuDeviceClass();

function inputsFor(problem: Problem, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return opFor(problem).inputs(problem).map((t) => Float32Array.from({ length: t.dims.reduce((a, b) => a * b, 1) }, () => rng.normal()));
}

/** The sampled elements of C must match the f64 reference within a loose bound: every contender computes the same thing. */
function check(name: string, problem: Problem, inputs: Float32Array[], got: Float32Array): void {
  const op = opFor(problem);
  const indices = Array.from({ length: 64 }, (_, i) => Math.floor((i * got.length) / 64));
  const { want, magnitude } = op.referenceAt!(problem, inputs, indices);
  indices.forEach((at, e) => {
    if (Math.abs(got[at]! - want[e]!) > 1e-4 * magnitude[e]! + 1e-6) throw new Error(`${name}: C[${at}] = ${got[at]} but the reference says ${want[e]}`);
  });
}

async function kernelContender(name: string, problem: Problem, kernel: Kernel, inputs: Float32Array[]): Promise<Contender> {
  await kernel.write(inputs);
  await kernel.poison();
  await kernel.run();
  check(name, problem, inputs, (await kernel.readOutputs())[0]! as Float32Array);
  return { name, flops: opFor(problem).flops(problem), time: (times) => kernel.timeRuns(times) };
}

/** The family's first seed (the hand-picked 4x8 tile), with FMA where the runtime has it, fused or not. */
function wasmGenome(problem: Problem, device: DeviceClass, epilogue: 'fused' | 'tile' | 'pass') {
  return { ...familyFor('matmul', 'wasm').space(problem, device).seeds!()[0]!, epilogue };
}

const shapeName = ({ m, n, k }: { m: number; n: number; k: number }) => (m === n && n === k ? `${m}^3` : `${m}x${n}x${k}`);
const wasmRows: string[] = [];
for (const shape of SIZES) {
  for (const epilogue of EPILOGUES) {
    const problem = parseProblem({ op: 'matmul', shape, epilogue });
    const inputs = inputsFor(problem, 1);
    const family = familyFor('matmul', 'wasm');
    const build = async (name: string, mode: 'fused' | 'tile' | 'pass') => {
      const code = family.code(wasmGenome(problem, cpu, mode), problem);
      return kernelContender(name, problem, await wasmKernel(problem, code.text, WasmLaunch.parse(code.launch)), inputs);
    };
    const contenders = [await build('tile', 'tile'), await build('registers', 'fused'), await build('unfused', 'pass')];
    if (epilogue.includes('relu')) {
      const x = await xnnpackFusedMatmul(shape.m, shape.n, shape.k, inputs[0]!, inputs[1]!, inputs[2]!);
      check(x.name, problem, inputs, x.output());
      contenders.push(x);
    }
    const samples = await measure(contenders, { rounds: 7, sampleMs: 60 });
    const xnn = samples.has('XNNPACK fused matMul + bias + relu');
    const gflops = (name: string) => medianGflops(samples, name).toFixed(1);
    const ratio = (a: string, b: string) => `${pairedRatio(samples, a, b).toFixed(2)}x`;
    const XNN = 'XNNPACK fused matMul + bias + relu';
    wasmRows.push(
      `| ${shapeName(shape)} | ${epilogue.join('+')} | ${gflops('tile')} | ${gflops('registers')} | ${gflops('unfused')} | ${xnn ? gflops(XNN) : '-'} | ${ratio('tile', 'unfused')} | ${ratio('registers', 'unfused')} | ${xnn ? ratio('tile', XNN) : '-'} |`,
    );
    log(wasmRows.at(-1)!);
  }
}

const gpuRows: string[] = [];
const adapter = await requestAdapter();
if (adapter) {
  const device = await openDevice(adapter);
  const gpuClass = gpuDeviceClass(gpuFacts(adapter));
  const family = familyFor('matmul', 'webgpu');
  for (const shape of SIZES) {
    for (const epilogue of EPILOGUES) {
      const problem = parseProblem({ op: 'matmul', shape, epilogue });
      const inputs = inputsFor(problem, 2);
      const build = async (name: string, mode: 'fused' | 'pass') => {
        const code = family.code({ ...family.space(problem, gpuClass).seeds!()[0]!, epilogue: mode }, problem);
        return kernelContender(name, problem, await webgpuKernel(device, problem, code.text, WebgpuLaunch.parse(code.launch)), inputs);
      };
      const samples: Samples = await measureGpu([await build('fused', 'fused'), await build('unfused', 'pass')], { rounds: 5, sampleMs: 100 });
      gpuRows.push(`| ${shapeName(shape)} | ${epilogue.join('+')} | ${medianGflops(samples, 'fused').toFixed(2)} | ${medianGflops(samples, 'unfused').toFixed(2)} | ${pairedRatio(samples, 'fused', 'unfused').toFixed(2)}x |`);
      log(gpuRows.at(-1)!);
    }
  }
  device.destroy();
  log(`WebGPU adapter: ${gpuClass.label}`);
} else {
  log('no WebGPU adapter: WebGPU rows skipped');
}

process.stdout.write(
  [
    `WASM, one thread, ${relaxed ? 'relaxed_madd (FMA)' : 'mul+add'}, genome: the family's 4x8 seed; GFLOP/s (2MNK per call) by CPU time, medians of 7 interleaved rounds:`,
    '',
    '| shape | epilogue | kevo fused (tile) | kevo fused (registers) | kevo unfused | XNNPACK fused | tile / unfused | registers / unfused | tile / XNNPACK |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...wasmRows,
    '',
    'WebGPU, the family\'s 8x8 vec4 seed; GFLOP/s by wall time, medians of 5 interleaved rounds:',
    '',
    '| shape | epilogue | fused | unfused | fused / unfused |',
    '|---|---|---:|---:|---:|',
    ...gpuRows,
    '',
  ].join('\n'),
);
