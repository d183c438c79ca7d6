import { wasmLaunch } from '../../genome/families/abi.ts';
import { launchTensors, type WasmLaunch } from '../../genome/families/launch.ts';
import type { Problem } from '../../genome/ops/problem.ts';
import { KevoError } from '../../lib/errors.ts';
import { dtypeOf, fillPoison, type Storage } from '../../genome/dtypes/index.ts';
import type { Kernel } from '../../verifiers/kernel.ts';
import { assembleWat } from './assemble.ts';

/** A launch instantiated: its memory, a call of its entry, and a call of its prepare entry when it has one. */
export interface Instance {
  readonly memory: WebAssembly.Memory;
  readonly call: () => void;
  readonly prepare?: () => void;
}

/**
 * A WAT kernel assembled, compiled and instantiated over its own linear
 * memory of the launch's size: the memory, and a call of the entry with every
 * tensor's byte offset in ABI order, then the workspace's (and the packed
 * region's); with a load-time step, a call of it over its weights' offsets
 * and the packed region's. (The graph executor of `kevo tune` writes a
 * model's weights into it once, and prepares once.)
 */
export async function instantiateLaunch(wat: string, launch: WasmLaunch): Promise<Instance> {
  const binary = await assembleWat(wat);
  // No room to grow: a hostile kernel's memory.grow fails instead of taking gigabytes from the worker.
  const memory = new WebAssembly.Memory({ initial: launch.pages, maximum: launch.pages });
  type Entry = (...offsets: number[]) => void;
  let exports: WebAssembly.Exports;
  const entryOf = (name: string): Entry => {
    const fn = exports[name];
    if (typeof fn !== 'function') throw new Error(`the module exports no function "${name}"`);
    return fn as Entry;
  };
  let entry: Entry;
  let prepareEntry: Entry | undefined;
  try {
    const module = await WebAssembly.compile(binary);
    exports = (await WebAssembly.instantiate(module, { env: { memory } })).exports;
    entry = entryOf(launch.entry);
    prepareEntry = launch.prepare && entryOf(launch.prepare.entry);
  } catch (error) {
    throw new KevoError('ASSEMBLE', `compile: ${(error as Error).message}`, { cause: error });
  }
  const packed = launch.prepare ? [launch.prepare.packed.offset] : [];
  const offsets = [...launch.tensors.map((t) => t.offset), launch.workspace.offset, ...packed];
  const call = () => entry(...offsets);
  if (!launch.prepare || !prepareEntry) return { memory, call };
  const prepareOffsets = [...launch.prepare.weights.map((i) => launch.tensors[i]!.offset), ...packed];
  const prepare = prepareEntry;
  return { memory, call, prepare: () => prepare(...prepareOffsets) };
}

export async function wasmKernel(problem: Problem, wat: string, launch: WasmLaunch = wasmLaunch(problem)): Promise<Kernel> {
  const { memory, call, prepare } = await instantiateLaunch(wat, launch);
  const { inputs, outputs } = launchTensors(launch);
  // Each tensor seen through its dtype's storage (packed 4-bit: the bytes).
  const view = (t: WasmLaunch['tensors'][number]): Storage => dtypeOf(t.dtype).view(memory.buffer, t.offset, t.length);
  const weights = launch.prepare?.weights ?? [];
  let prepareMs: number | undefined;

  return {
    problem,
    weights,
    prepareMs: () => prepareMs,
    async write(values) {
      // Compared before the copy: the weights as the kernel last packed them, unless run() changed them (which the harness catches anyway).
      const changed = prepareMs === undefined || weights.some((i) => !sameBits(view(inputs[i]!), values[i]!));
      inputs.forEach((t, i) => copyInto(view(t), values[i]!, t.name));
      if (prepare && changed) {
        const start = performance.now();
        prepare();
        prepareMs = performance.now() - start;
      }
    },
    async poison() {
      for (const output of outputs) fillPoison(dtypeOf(output.dtype), view(output));
    },
    async run() {
      call();
    },
    async readOutputs() {
      return outputs.map((output) => view(output).slice());
    },
    async readInputs() {
      return inputs.map((t) => view(t).slice());
    },
    async timeRuns(runs) {
      const start = performance.now();
      for (let i = 0; i < runs; i++) call();
      return (performance.now() - start) / runs;
    },
    async dispose() {},
  };
}

function sameBits(a: Storage, b: Storage): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Copies storage bit for bit; storage of another dtype or size is a bug of the caller's. */
function copyInto(target: Storage, source: Storage, name: string): void {
  if (target.constructor !== source.constructor || target.length !== source.length) {
    throw new TypeError(`input ${name}: expected a ${target.constructor.name} of ${target.length}, got a ${source.constructor.name} of ${source.length}`);
  }
  (target as Uint8Array).set(source as Uint8Array);
}
