import type { Problem } from '../../genome/ops/problem.ts';
import { KevoError } from '../../lib/errors.ts';
import { f32, fillPoison } from '../../genome/dtypes/index.ts';
import type { Kernel } from '../../verifiers/kernel.ts';
import { ENTRY, layoutFor } from './abi.ts';
import { assembleWat } from './assemble.ts';

/** A WAT kernel assembled, compiled and instantiated over its own linear memory. */
export async function wasmKernel(problem: Problem, wat: string): Promise<Kernel> {
  const binary = await assembleWat(wat);
  const layout = layoutFor(problem);
  // No room to grow: a hostile kernel's memory.grow fails instead of taking gigabytes from the worker.
  const memory = new WebAssembly.Memory({ initial: layout.pages, maximum: layout.pages });
  let entry: (a: number, b: number, c: number, ws: number) => void;
  try {
    const module = await WebAssembly.compile(binary);
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    const fn = instance.exports[ENTRY];
    if (typeof fn !== 'function') throw new Error(`the module exports no function "${ENTRY}"`);
    entry = fn as typeof entry;
  } catch (error) {
    throw new KevoError('ASSEMBLE', `compile: ${(error as Error).message}`, { cause: error });
  }
  const [a, b] = layout.inputs.map((t) => t.offset) as [number, number];
  const c = layout.output.offset;
  const ws = layout.workspace.offset;
  const view = (t: { offset: number; length: number }) => new Float32Array(memory.buffer, t.offset, t.length);
  const call = () => entry(a, b, c, ws);

  return {
    problem,
    async write(inputs) {
      layout.inputs.forEach((t, i) => view(t).set(inputs[i]!));
    },
    async poison() {
      fillPoison(f32, view(layout.output));
    },
    async run() {
      call();
    },
    async readOutput() {
      return view(layout.output).slice();
    },
    async readInputs() {
      return layout.inputs.map((t) => view(t).slice());
    },
    async timeRuns(runs) {
      const start = performance.now();
      for (let i = 0; i < runs; i++) call();
      return (performance.now() - start) / runs;
    },
    async dispose() {},
  };
}
