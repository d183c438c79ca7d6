import { wasmLaunch } from '../../genome/families/abi.ts';
import type { WasmLaunch } from '../../genome/families/launch.ts';
import type { Problem } from '../../genome/ops/problem.ts';
import { KevoError } from '../../lib/errors.ts';
import { dtypeOf, fillPoison, type Storage } from '../../genome/dtypes/index.ts';
import type { Kernel } from '../../verifiers/kernel.ts';
import { assembleWat } from './assemble.ts';

/**
 * A WAT kernel assembled, compiled and instantiated over its own linear
 * memory, laid out by its launch (by default the op's ABI layout,
 * genome/families/abi.ts): the entry gets every tensor's byte offset in ABI
 * order, then the workspace's.
 */
export async function wasmKernel(problem: Problem, wat: string, launch: WasmLaunch = wasmLaunch(problem)): Promise<Kernel> {
  const binary = await assembleWat(wat);
  // No room to grow: a hostile kernel's memory.grow fails instead of taking gigabytes from the worker.
  const memory = new WebAssembly.Memory({ initial: launch.pages, maximum: launch.pages });
  let entry: (...offsets: number[]) => void;
  try {
    const module = await WebAssembly.compile(binary);
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    const fn = instance.exports[launch.entry];
    if (typeof fn !== 'function') throw new Error(`the module exports no function "${launch.entry}"`);
    entry = fn as typeof entry;
  } catch (error) {
    throw new KevoError('ASSEMBLE', `compile: ${(error as Error).message}`, { cause: error });
  }
  const inputs = launch.tensors.slice(0, -1);
  const output = launch.tensors[launch.tensors.length - 1]!;
  const offsets = [...launch.tensors.map((t) => t.offset), launch.workspace.offset];
  // Each tensor seen through its dtype's storage (packed 4-bit: the bytes).
  const view = (t: WasmLaunch['tensors'][number]): Storage => dtypeOf(t.dtype).view(memory.buffer, t.offset, t.length);
  const call = () => entry(...offsets);

  return {
    problem,
    async write(values) {
      inputs.forEach((t, i) => copyInto(view(t), values[i]!, t.name));
    },
    async poison() {
      fillPoison(dtypeOf(output.dtype), view(output));
    },
    async run() {
      call();
    },
    async readOutput() {
      return view(output).slice();
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

/** Copies storage bit for bit; storage of another dtype or size is a bug of the caller's. */
function copyInto(target: Storage, source: Storage, name: string): void {
  if (target.constructor !== source.constructor || target.length !== source.length) {
    throw new TypeError(`input ${name}: expected a ${target.constructor.name} of ${target.length}, got a ${source.constructor.name} of ${source.length}`);
  }
  (target as Uint8Array).set(source as Uint8Array);
}
