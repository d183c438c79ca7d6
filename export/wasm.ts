import type { WasmLaunch } from '../genome/families/launch.ts';
import type { Problem } from '../genome/ops/index.ts';
import { assembleWat } from '../worker/wasm/assemble.ts';

/** Tiny modules whose validation tells a runtime's wasm features apart. */
const PROBES = {
  simd: '(module (func (result v128) (v128.const i32x4 0 0 0 0)))',
  relaxedSimd: '(module (func (param v128 v128 v128) (result v128) (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2))))',
};

export interface WasmExport {
  readonly kernelId: string;
  readonly problem: Problem;
  readonly wat: string;
  /** Where the stored kernel expects each tensor, and its entry. */
  readonly launch: WasmLaunch;
  readonly meta: Record<string, unknown>;
}

/** Whether the WAT uses relaxed SIMD, i.e. whether load() must insist on it. */
export function usesRelaxedSimd(wat: string): boolean {
  return /\brelaxed_/.test(wat);
}

/**
 * The files of an exported WASM kernel: kernel.wat, kernel.wasm, meta.json and
 * a dependency-free ES module (the binary inlined as base64, so it loads the
 * same in Node and in a browser bundle) with its typings.
 */
export async function wasmExportFiles(k: WasmExport): Promise<Record<string, string | Uint8Array>> {
  const binary = await assembleWat(k.wat);
  const features = usesRelaxedSimd(k.wat) ? ['simd', 'relaxed-simd'] : ['simd'];
  const { launch } = k;
  const probes = Object.fromEntries(
    await Promise.all(Object.entries(PROBES).map(async ([name, wat]) => [name, Array.from(await assembleWat(wat))])),
  );
  const inputs = launch.tensors.slice(0, -1);
  const output = launch.tensors[launch.tensors.length - 1]!;
  const meta = { ...k.meta, kernelId: k.kernelId, problem: k.problem, backend: 'wasm', features, abi: { entry: launch.entry, inputs, output, workspace: launch.workspace, pages: launch.pages } };
  return {
    'kernel.wat': k.wat,
    'kernel.wasm': binary,
    'meta.json': `${JSON.stringify(meta, null, 2)}\n`,
    'index.js': loaderJs({ problem: k.problem, features, entry: launch.entry, inputs, output, workspace: launch.workspace.offset, pages: launch.pages, binary, probes }),
    'index.d.ts': loaderDts(k.problem, launch),
  };
}

function loaderJs(c: {
  problem: Problem;
  features: string[];
  entry: string;
  inputs: { name: string; offset: number; length: number }[];
  output: { offset: number; length: number };
  workspace: number;
  pages: number;
  binary: Uint8Array;
  probes: Record<string, number[]>;
}): string {
  return `// Exported by kevo. Loads the kernel in any runtime with WebAssembly SIMD; no dependencies.
export const problem = ${JSON.stringify(c.problem)};
export const features = ${JSON.stringify(c.features)};
const INPUTS = ${JSON.stringify(c.inputs)};
const OUTPUT = ${JSON.stringify(c.output)};
const ENTRY = ${JSON.stringify(c.entry)};
const WORKSPACE = ${c.workspace};
const PAGES = ${c.pages};
const PROBES = ${JSON.stringify(c.probes)};
const HINTS = {
  'simd': 'WebAssembly SIMD (Node >= 16, every current browser)',
  'relaxed-simd': 'WebAssembly relaxed SIMD (Node 20: run node with --experimental-wasm-relaxed-simd; Chrome >= 114)',
};
const WASM = '${Buffer.from(c.binary).toString('base64')}';

function bytes(base64) {
  return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
}

export async function load() {
  const missing = features.filter((f) => !WebAssembly.validate(new Uint8Array(PROBES[f === 'relaxed-simd' ? 'relaxedSimd' : 'simd'])));
  if (missing.length > 0) {
    throw new Error('this kernel needs ' + missing.map((f) => HINTS[f]).join(' and ') + ', which this runtime lacks');
  }
  const memory = new WebAssembly.Memory({ initial: PAGES });
  const { instance } = await WebAssembly.instantiate(bytes(WASM), { env: { memory } });
  const entry = instance.exports[ENTRY];
  return {
    problem,
    run(...inputs) {
      if (inputs.length !== INPUTS.length) throw new TypeError('expected ' + INPUTS.length + ' inputs (' + INPUTS.map((t) => t.name).join(', ') + ')');
      INPUTS.forEach((t, i) => {
        if (!(inputs[i] instanceof Float32Array) || inputs[i].length !== t.length) {
          throw new TypeError('input ' + t.name + ': expected a Float32Array of ' + t.length + ' elements');
        }
        new Float32Array(memory.buffer, t.offset, t.length).set(inputs[i]);
      });
      entry(...INPUTS.map((t) => t.offset), OUTPUT.offset, WORKSPACE);
      return new Float32Array(memory.buffer, OUTPUT.offset, OUTPUT.length).slice();
    },
  };
}
`;
}

function loaderDts(problem: Problem, launch: WasmLaunch): string {
  const dims = (t: WasmLaunch['tensors'][number]) => `${t.name} (${t.dims.join('x')})`;
  const inputs = launch.tensors.slice(0, -1);
  const output = launch.tensors[launch.tensors.length - 1]!;
  return `// Exported by kevo.
export interface Problem {
  readonly op: ${JSON.stringify(problem.op)};
  readonly shape: { ${Object.keys(problem.shape).map((name) => `readonly ${name}: number`).join('; ')} };
  readonly dtype: ${JSON.stringify(problem.dtype)};
}
export declare const problem: Problem;
export declare const features: readonly ('simd' | 'relaxed-simd')[];
/** Instantiates the kernel; rejects with a message naming the wasm feature the runtime lacks. */
export declare function load(): Promise<{
  readonly problem: Problem;
  /** ${inputs.map(dims).join(', ')}, row-major, in this order; returns ${dims(output)}. */
  run(...inputs: Float32Array[]): Float32Array;
}>;
`;
}
