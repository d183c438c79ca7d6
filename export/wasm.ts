import type { WasmLaunch } from '../genome/families/launch.ts';
import type { Problem } from '../genome/ops/index.ts';
import { assembleWat } from '../worker/wasm/assemble.ts';
import { arrayLength, arrayType, CHECK_JS, loaderTypes, runParams, type AbiTensor } from './loader.ts';

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

/** A tensor of the ABI where it lives in the kernel's memory: byte offset, elements. */
export type PlacedTensor = AbiTensor & { readonly offset: number; readonly length: number };

/** What the generated loader needs: the module, its memory, and where each tensor lives, inputs in ABI order. */
export interface WasmLoader {
  readonly problem: Problem;
  readonly binary: Uint8Array;
  readonly features: readonly string[];
  readonly entry: string;
  readonly inputs: readonly PlacedTensor[];
  readonly output: PlacedTensor;
  readonly workspace: number;
  readonly pages: number;
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
  const loader: WasmLoader = {
    problem: k.problem,
    binary,
    features,
    entry: launch.entry,
    inputs: launch.tensors.slice(0, -1),
    output: launch.tensors[launch.tensors.length - 1]!,
    workspace: launch.workspace.offset,
    pages: launch.pages,
  };
  const abi = { entry: launch.entry, inputs: loader.inputs, output: loader.output, workspace: launch.workspace, pages: launch.pages };
  const meta = { ...k.meta, kernelId: k.kernelId, problem: k.problem, backend: 'wasm', features, abi };
  return {
    'kernel.wat': k.wat,
    'kernel.wasm': binary,
    'meta.json': `${JSON.stringify(meta, null, 2)}\n`,
    ...(await wasmLoaderFiles(loader)),
  };
}

/** index.js and index.d.ts for a WASM kernel whose entry takes (each input's offset, the output's, the workspace's). */
export async function wasmLoaderFiles(c: WasmLoader): Promise<{ 'index.js': string; 'index.d.ts': string }> {
  const probes = Object.fromEntries(
    await Promise.all(Object.entries(PROBES).map(async ([name, wat]) => [name, Array.from(await assembleWat(wat))])),
  );
  return { 'index.js': loaderJs(c, probes), 'index.d.ts': loaderDts(c) };
}

/**
 * The loader. run() calls the entry with literal offsets: a call allocates
 * nothing. An input that is the kernel's own view is not copied; without
 * `out` the result is the kernel's output view, overwritten by the next call.
 */
function loaderJs(c: WasmLoader, probes: Record<string, number[]>): string {
  const params = runParams(c.inputs);
  const offsets = [...c.inputs.map((t) => t.offset), c.output.offset, c.workspace].join(', ');
  return `// Exported by kevo. Loads the kernel in any runtime with WebAssembly SIMD; no dependencies.
export const problem = ${JSON.stringify(c.problem)};
export const features = ${JSON.stringify(c.features)};
/** The kernel's tensors in ABI order: run() takes the inputs in this order, then an optional out. */
export const tensors = ${JSON.stringify({ inputs: c.inputs.map(abiOnly), output: abiOnly(c.output) })};
const INPUTS = [${c.inputs.map((t) => placed(t)).join(', ')}];
const OUTPUT = ${placed(c.output)};
const PAGES = ${c.pages};
const PROBES = ${JSON.stringify(probes)};
const HINTS = {
  'simd': 'WebAssembly SIMD (Node >= 16, every current browser)',
  'relaxed-simd': 'WebAssembly relaxed SIMD (Node 20: run node with --experimental-wasm-relaxed-simd; Chrome >= 114)',
};
const WASM = '${Buffer.from(c.binary).toString('base64')}';

function bytes(base64) {
  return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
}

${CHECK_JS}

export async function load() {
  const missing = features.filter((f) => !WebAssembly.validate(new Uint8Array(PROBES[f === 'relaxed-simd' ? 'relaxedSimd' : 'simd'])));
  if (missing.length > 0) {
    throw new Error('this kernel needs ' + missing.map((f) => HINTS[f]).join(' and ') + ', which this runtime lacks');
  }
  // A memory that cannot grow never detaches its buffer: the views below stay valid for the kernel's life.
  const memory = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES });
  const { instance } = await WebAssembly.instantiate(bytes(WASM), { env: { memory } });
  const entry = instance.exports[${JSON.stringify(c.entry)}];
  const inputs = Object.freeze(INPUTS.map((t) => new t.Type(memory.buffer, t.offset, t.length)));
  const output = new OUTPUT.Type(memory.buffer, OUTPUT.offset, OUTPUT.length);
  function put(array, i) {
    checkArgument(array, INPUTS[i].Type, INPUTS[i].length, 'input ' + INPUTS[i].name);
    if (array.buffer !== memory.buffer || array.byteOffset !== INPUTS[i].offset) inputs[i].set(array);
  }
  return {
    problem,
    inputs,
    output,
    run(${params.join(', ')}) {
${c.inputs.map((_, i) => `      put(${params[i]}, ${i});`).join('\n')}
      if (out !== undefined) checkArgument(out, OUTPUT.Type, OUTPUT.length, 'out');
      entry(${offsets});
      if (out === undefined || out === output) return output;
      out.set(output);
      return out;
    },
  };
}
`;
}

const abiOnly = ({ name, dims, dtype }: AbiTensor): AbiTensor => ({ name, dims, dtype });

/** A tensor as the loader places it: its typed array (a constructor in the source), where it lives, how long it is. */
function placed(t: PlacedTensor): string {
  return `{ name: ${JSON.stringify(t.name)}, Type: ${arrayType(t)}, offset: ${t.offset}, length: ${arrayLength(t)} }`;
}

function loaderDts(c: WasmLoader): string {
  return `// Exported by kevo.
${loaderTypes(c.problem, { inputs: c.inputs.map(abiOnly), output: abiOnly(c.output) })}
export declare const features: readonly ('simd' | 'relaxed-simd')[];
export interface Kernel {
  readonly problem: Problem;
  /**
   * The kernel's own memory for each input, in ABI order. Fill one in place and
   * pass it to run(): it is not copied (keep a resident input here between calls).
   */
  readonly inputs: Inputs;
  /** The kernel's own memory for the output: what run() returns when given no \`out\`; the next run() overwrites it. */
  readonly output: Output;
  /**
   * Runs the kernel on the inputs (row-major, each in its dtype's typed array, in
   * ABI order; see \`tensors\`). Writes the result into \`out\` and returns it
   * when given, else returns \`output\`. Allocates nothing; throws a TypeError or
   * RangeError naming an argument that is not the right typed array of the right length.
   */
  run(...args: [...inputs: Inputs, out?: Output]): Output;
}
/** Instantiates the kernel; rejects with a message naming the wasm feature the runtime lacks. */
export declare function load(): Promise<Kernel>;
`;
}
