import fs from 'node:fs';
import * as ort from 'onnxruntime-web';
import { median } from '../lib/stats.ts';
import type { OnnxTensor } from './read.ts';

/**
 * onnxruntime-web, the peer kevo's model runs are checked and timed
 * against: its WASM backend (MLAS, XNNPACK-free) on one thread, as a page
 * without cross-origin isolation runs it.
 */
ort.env.wasm.numThreads = 1;

export type Feeds = Readonly<Record<string, OnnxTensor>>;

const ORT_TYPES = new Map<Function, 'float32' | 'uint8' | 'int8' | 'int32'>([[Float32Array, 'float32'], [Uint8Array, 'uint8'], [Int8Array, 'int8'], [Int32Array, 'int32']]);
const ortFeeds = (inputs: Feeds) => Object.fromEntries(Object.entries(inputs).map(([name, t]) => [name, new ort.Tensor(ORT_TYPES.get(t.data.constructor)!, t.data as Float32Array, [...t.dims])]));

export interface OrtModel {
  run(inputs: Feeds): Promise<Record<string, OnnxTensor['data']>>;
  release(): Promise<void>;
}

export async function ortModel(bytes: Uint8Array): Promise<OrtModel> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  return {
    async run(inputs) {
      const out = await session.run(ortFeeds(inputs));
      return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, t.data as OnnxTensor['data']]));
    },
    release: () => session.release(),
  };
}

export interface OrtProfile {
  /** Each node's median kernel time (ms). */
  readonly nodeMs: Map<string, number>;
  /** The median of the whole run inside the runtime (its "model_run" event): session.run less its JavaScript glue. */
  readonly runMs: number;
}

/**
 * Times from onnxruntime-web's own profiler, medians over `runs` runs. With
 * graph optimizations off its nodes are the model's (an optimized session
 * fuses Conv+Relu and renames them). In Node the profiler writes its JSON to
 * fd 1 with fs.writeSync instead of a file: the write is taken for the
 * duration of endProfiling().
 */
export async function ortProfile(bytes: Uint8Array, inputs: Feeds, runs: number, optimized = false): Promise<OrtProfile> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], enableProfiling: true, graphOptimizationLevel: optimized ? 'all' : 'disabled' });
  const feeds = ortFeeds(inputs);
  // The first run pays for allocations and first-touch: profile the ones after it.
  await session.run(feeds);
  for (let i = 0; i < runs; i++) await session.run(feeds);
  const chunks: string[] = [];
  const writeSync = fs.writeSync;
  const capture = ((fd: number, data: unknown, ...rest: unknown[]) => {
    if (fd !== 1) return (writeSync as (...a: unknown[]) => number)(fd, data, ...rest);
    chunks.push(String(data));
    return String(data).length;
  }) as typeof fs.writeSync;
  fs.writeSync = capture;
  try {
    session.endProfiling();
  } finally {
    fs.writeSync = writeSync;
    await session.release();
  }
  const events = JSON.parse(chunks.join('') || '[]') as { cat: string; name: string; dur: number }[];
  const byNode = new Map<string, number[]>();
  const modelRuns = events.filter((e) => e.name === 'model_run').map((e) => e.dur / 1000);
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const node = e.name.slice(0, -'_kernel_time'.length);
    byNode.set(node, [...(byNode.get(node) ?? []), e.dur / 1000]);
  }
  // Drop the first (warm-up) run.
  return { nodeMs: new Map([...byNode].map(([node, times]) => [node, median(times.slice(1))])), runMs: median(modelRuns.slice(1)) };
}
