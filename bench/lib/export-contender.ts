import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { wasmExportFiles } from '../../export/wasm.ts';
import { matmul } from '../../genome/ops/matmul.ts';
import type { MatmulProblem } from '../../genome/ops/matmul-problem.ts';
import { WasmLaunch, type KernelCode } from '../../genome/families/launch.ts';
import type { Contender } from './timing.ts';

/** The exported module's kernel as a user's script sees it (the typings kevo writes into index.d.ts). */
interface ExportedKernel {
  readonly inputs: readonly Float32Array[];
  readonly output: Float32Array;
  run(...args: Float32Array[]): Float32Array;
  /** A kernel that packs B at load time: B copied in and packed, once; run() then takes A. */
  setWeights?(b: Float32Array): void;
}

/**
 * A kernel exported to a temporary directory and imported from its index.js,
 * timed through run() the ways a user calls it: the caller's arrays in (copied
 * into the kernel's memory) and the kernel's output view back; the same with
 * an `out` array of the caller's; inputs resident in the kernel's own views;
 * and, for comparison, the caller's arrays with a fresh copy of the result per
 * call (what the exported run() did before, a fresh 1 MB array at 512^3).
 * A kernel that packs B at load time gets B once through setWeights().
 */
export async function exportContenders(problem: MatmulProblem, code: KernelCode, inputs: readonly Float32Array[]): Promise<Contender[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kevo-bench-export-'));
  try {
    for (const [name, content] of Object.entries(await wasmExportFiles({ kernelId: 'bench', problem, wat: code.text, launch: WasmLaunch.parse(code.launch), meta: {} }))) writeFileSync(join(dir, name), content);
    const module = (await import(pathToFileURL(join(dir, 'index.js')).href)) as { load(): Promise<ExportedKernel> };
    const kernel = await module.load();
    const [a, b] = inputs as [Float32Array, Float32Array];
    kernel.inputs[0]!.set(a);
    kernel.inputs[1]!.set(b);
    const [residentA, residentB] = kernel.inputs as [Float32Array, Float32Array];
    const packed = kernel.setWeights !== undefined;
    kernel.setWeights?.(b);
    // packed at load, run() takes A alone: B stays resident
    const run = (x: Float32Array, y: Float32Array, ...out: Float32Array[]) => (packed ? kernel.run(x, ...out) : kernel.run(x, y, ...out));
    const ab = packed ? 'a' : 'a, b';
    const out = new Float32Array(kernel.output.length);
    const timed = (name: string, call: () => unknown): Contender => ({
      name,
      flops: matmul.flops(problem),
      async time(times) {
        const start = performance.now();
        for (let i = 0; i < times; i++) call();
        return (performance.now() - start) / times;
      },
    });
    return [
      timed(`exported run(${ab})`, () => run(a, b)),
      timed(`exported run(${ab}, out)`, () => run(a, b, out)),
      timed('exported run(resident views)', () => run(residentA, residentB)),
      timed(`exported run(${ab}) + fresh copy`, () => run(a, b).slice()),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
