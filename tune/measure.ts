import { median } from '../lib/stats.ts';
import { Rng } from '../lib/rng.ts';
import type { CompiledModel } from '../onnx/executor.ts';
import type { Feeds, OrtModel } from '../onnx/ort.ts';
import type { OnnxDtype } from '../onnx/build.ts';
import type { OnnxModel, OnnxTensor } from '../onnx/read.ts';
import { KevoError } from '../lib/errors.ts';
import { quote } from '../lib/quote.ts';

/** One input's seeded values: uniform in [-1, 1) for float32, over the whole range for 8-bit integers. */
function draw(name: string, dtype: OnnxDtype, length: number, rng: Rng): OnnxTensor['data'] {
  if (dtype === 'uint8') return Uint8Array.from({ length }, () => rng.int(0, 255));
  if (dtype === 'int8') return Int8Array.from({ length }, () => rng.int(-128, 127));
  if (dtype === 'float32') return Float32Array.from({ length }, () => rng.next() * 2 - 1);
  throw new KevoError('BAD_INPUT', `input ${quote(name)} is ${dtype}: kevo feeds float32, uint8 and int8 inputs`);
}

/** The model's inputs, seeded: the same for every run compared. */
export function modelInputs(model: OnnxModel, seed: number): Feeds {
  const rng = new Rng(seed);
  return Object.fromEntries(model.inputs.map((input) => [input.name, { dims: input.dims, data: draw(input.name, input.dtype, input.dims.reduce((a, b) => a * b, 1), rng) }]));
}

/**
 * The error model for a whole model's outputs: f32 everywhere, the two
 * runtimes differing only in summation order (blocking, FMA) and fusion, so
 * each element may differ by 2^-13 (about 1.2e-4) of the output's scale.
 * A wrong kernel (a swapped index, a missed epilogue) misses it by orders of magnitude.
 * Integer outputs (MatMulInteger's i32) are exact in both: tolerance 0.
 */
export const OUTPUT_TOLERANCE = 2 ** -13;

export interface OutputCheck {
  readonly output: string;
  readonly maxError: number;
  readonly tolerance: number;
  readonly ok: boolean;
}

export function compareOutputs(names: readonly string[], ours: ReadonlyMap<string, { data: unknown }>, theirs: Readonly<Record<string, OnnxTensor['data']>>): OutputCheck[] {
  return names.map((name) => {
    const a = ours.get(name)?.data as ArrayLike<number> | undefined;
    const b = theirs[name] as ArrayLike<number> | undefined;
    if (!a || !b || a.length !== b.length || a.constructor !== b.constructor) return { output: name, maxError: Infinity, tolerance: 0, ok: false };
    const scale = Math.max(1, ...Array.from(b, Math.abs));
    let maxError = 0;
    for (let i = 0; i < a.length; i++) maxError = Math.max(maxError, Number.isNaN(a[i]! - b[i]!) ? Infinity : Math.abs(a[i]! - b[i]!));
    const tolerance = b instanceof Float32Array ? OUTPUT_TOLERANCE * scale : 0;
    return { output: name, maxError, tolerance, ok: maxError <= tolerance };
  });
}

export interface EndToEnd {
  readonly ortMs: number;
  readonly kevoMs: number;
  /** onnxruntime-web's median over kevo's: above 1, kevo's run is faster. */
  readonly speedup: number;
  readonly rounds: number;
}

/**
 * Both runtimes timed side by side: each round runs onnxruntime-web then
 * kevo's executor a few times (enough for a few ms), interleaved so load on
 * the machine hits both alike; medians of the per-run times.
 */
export async function timeEndToEnd(ort: OrtModel, kevo: CompiledModel, inputs: Feeds, rounds: number): Promise<EndToEnd> {
  for (let i = 0; i < 3; i++) {
    await ort.run(inputs);
    kevo.run(inputs);
  }
  const start = performance.now();
  await ort.run(inputs);
  const reps = Math.max(1, Math.min(50, Math.round(5 / Math.max(0.01, performance.now() - start))));
  const ortTimes: number[] = [];
  const kevoTimes: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    for (let i = 0; i < reps; i++) await ort.run(inputs);
    ortTimes.push((performance.now() - t) / reps);
    t = performance.now();
    for (let i = 0; i < reps; i++) kevo.run(inputs);
    kevoTimes.push((performance.now() - t) / reps);
  }
  const ortMs = median(ortTimes);
  const kevoMs = median(kevoTimes);
  return { ortMs, kevoMs, speedup: ortMs / kevoMs, rounds };
}
