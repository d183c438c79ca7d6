import { launchTensors, type WasmLaunch } from '../genome/families/launch.ts';
import type { Problem } from '../genome/ops/index.ts';
import { assembleWat } from '../worker/wasm/assemble.ts';
import { arrayLength, arrayType, CHECK_JS, inputLabels, loaderTypes, outputsField, outputsJs, runParams, type AbiTensor } from './loader.ts';

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

/** What the generated loader needs: the module, its memory, and where each tensor lives, inputs and outputs in ABI order. */
export interface WasmLoader {
  readonly problem: Problem;
  readonly binary: Uint8Array;
  readonly features: readonly string[];
  readonly entry: string;
  readonly inputs: readonly PlacedTensor[];
  readonly outputs: readonly PlacedTensor[];
  readonly workspace: number;
  readonly pages: number;
  /** The load-time step: its entry, the inputs it packs (ABI indices), the packed region's offset. */
  readonly prepare?: { readonly entry: string; readonly weights: readonly number[]; readonly packed: number };
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
    ...launchTensors(launch),
    workspace: launch.workspace.offset,
    pages: launch.pages,
    ...(launch.prepare ? { prepare: { entry: launch.prepare.entry, weights: launch.prepare.weights, packed: launch.prepare.packed.offset } } : {}),
  };
  const prepare = launch.prepare && { ...launch.prepare, weights: launch.prepare.weights.map((i) => loader.inputs[i]!.name) };
  const abi = { entry: launch.entry, inputs: loader.inputs, ...outputsField(loader.outputs), workspace: launch.workspace, pages: launch.pages, ...(prepare ? { prepare } : {}) };
  const meta = { ...k.meta, kernelId: k.kernelId, problem: k.problem, backend: 'wasm', features, abi };
  return {
    'kernel.wat': k.wat,
    'kernel.wasm': binary,
    'meta.json': `${JSON.stringify(meta, null, 2)}\n`,
    ...(await wasmLoaderFiles(loader)),
  };
}

/** index.js and index.d.ts for a WASM kernel whose entry takes (each input's offset, each output's, the workspace's). */
export async function wasmLoaderFiles(c: WasmLoader): Promise<{ 'index.js': string; 'index.d.ts': string }> {
  const probes = Object.fromEntries(
    await Promise.all(Object.entries(PROBES).map(async ([name, wat]) => [name, Array.from(await assembleWat(wat))])),
  );
  return { 'index.js': loaderJs(c, probes), 'index.d.ts': loaderDts(c) };
}

/**
 * The loader. run() calls the entry with literal offsets: a call allocates
 * nothing. An input that is the kernel's own view is not copied; without
 * `out` the result is the kernel's output view (with several outputs, the
 * array of them in ABI order), overwritten by the next call.
 * A kernel that packs its weights at load time gets setWeights(...weights),
 * which copies them in and packs them, and run() then takes the other inputs.
 */
function loaderJs(c: WasmLoader, probes: Record<string, number[]>): string {
  const weights = c.prepare?.weights ?? [];
  const activations = c.inputs.map((_, i) => i).filter((i) => !weights.includes(i));
  const params = [...runParams(c.inputs).filter((_, i) => activations.includes(i)), 'out'];
  const many = c.outputs.length > 1;
  const offsets = [...c.inputs.map((t) => t.offset), ...c.outputs.map((t) => t.offset), c.workspace, ...(c.prepare ? [c.prepare.packed] : [])].join(', ');
  const setWeights = c.prepare
    ? `    setWeights(${weights.map((i) => `w${i}`).join(', ')}) {
${weights.map((i) => `      put(w${i}, ${i}, 'setWeights');`).join('\n')}
      prepare(${[...weights.map((i) => c.inputs[i]!.offset), c.prepare.packed].join(', ')});
      packed = true;
    },
`
    : '';
  const prepareLines = c.prepare ? `\n  const prepare = instance.exports[${JSON.stringify(c.prepare.entry)}];\n  let packed = false;` : '';
  const unpacked = c.prepare
    ? `      if (!packed) throw new Error('run(): call setWeights(${weights.map((i) => c.inputs[i]!.name).join(', ')}) first: the kernel packs its weights once, at load time');\n`
    : '';
  return `// Exported by kevo. Loads the kernel in any runtime with WebAssembly SIMD; no dependencies.
export const problem = ${JSON.stringify(c.problem)};
export const features = ${JSON.stringify(c.features)};
/** The kernel's tensors in ABI order: run() takes the inputs in this order${c.prepare ? " (but the \\`weights\\`, which setWeights() takes)" : ''}, then an optional out. */
export const tensors = ${JSON.stringify({ inputs: c.inputs.map(abiOnly), ...outputsField(c.outputs.map(abiOnly)), ...(c.prepare ? { weights: weights.map((i) => c.inputs[i]!.name) } : {}) })};
const INPUTS = [${c.inputs.map((t) => placed(t)).join(', ')}];
const OUTPUTS = [${c.outputs.map((t) => placed(t)).join(', ')}];
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

${outputsJs(many)}

export async function load() {
  const missing = features.filter((f) => !WebAssembly.validate(new Uint8Array(PROBES[f === 'relaxed-simd' ? 'relaxedSimd' : 'simd'])));
  if (missing.length > 0) {
    throw new Error('this kernel needs ' + missing.map((f) => HINTS[f]).join(' and ') + ', which this runtime lacks');
  }
  // A memory that cannot grow never detaches its buffer: the views below stay valid for the kernel's life.
  const memory = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES });
  const { instance } = await WebAssembly.instantiate(bytes(WASM), { env: { memory } });
  const entry = instance.exports[${JSON.stringify(c.entry)}];${prepareLines}
  const inputs = Object.freeze(INPUTS.map((t) => new t.Type(memory.buffer, t.offset, t.length)));
  const outputs = Object.freeze(OUTPUTS.map((t) => new t.Type(memory.buffer, t.offset, t.length)));
  function put(array, i, fn) {
    checkArgument(array, INPUTS[i].Type, INPUTS[i].length, 'input ' + INPUTS[i].name, fn);
    if (array.buffer !== memory.buffer || array.byteOffset !== INPUTS[i].offset) inputs[i].set(array);
  }
  return {
    problem,
    inputs,
    ${many ? 'outputs' : 'output: outputs[0]'},
${setWeights}    run(${params.join(', ')}) {
${activations.map((i) => `      put(x${i}, ${i});`).join('\n')}
${unpacked}      if (out !== undefined) checkOut(out);
      entry(${offsets});
      return deliver(outputs, out);
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

/** Typings of a kernel that packs weights at load time: the tuples setWeights() and run() take, and setWeights itself. */
function preparedDts(c: WasmLoader): { types: string; method: string; runArgs: string } {
  const weights = c.prepare?.weights ?? [];
  if (weights.length === 0) return { types: '', method: '', runArgs: 'inputs: Inputs' };
  const labels = inputLabels(c.inputs);
  const tuple = (indices: readonly number[]) => `readonly [${indices.map((i) => `${labels[i]}: ${arrayType(c.inputs[i]!)}`).join(', ')}]`;
  const activations = c.inputs.map((_, i) => i).filter((i) => !weights.includes(i));
  return {
    types: `
/** The inputs the kernel packs at load time (setWeights() takes them), in ABI order. */
export type Weights = ${tuple(weights)};
/** The inputs run() takes: all but the weights, in ABI order. */
export type Activations = ${tuple(activations)};`,
    method: `
  /**
   * Copies the weights in and packs them once (as XNNPACK packs at operator
   * creation): call it before the first run() and again whenever a weight
   * changes, even one changed in place in \`inputs\`. Keep weights resident
   * this way and call run() with the activations as often as you like.
   */
  setWeights(...weights: Weights): void;`,
    runArgs: 'activations: Activations',
  };
}

function loaderDts(c: WasmLoader): string {
  const prepared = preparedDts(c);
  return `// Exported by kevo.
${loaderTypes(c.problem, { inputs: c.inputs.map(abiOnly), outputs: c.outputs.map(abiOnly) })}${prepared.types}
export declare const features: readonly ('simd' | 'relaxed-simd')[];
export interface Kernel {
  readonly problem: Problem;
  /**
   * The kernel's own memory for each input, in ABI order. Fill one in place and
   * pass it to run(): it is not copied (keep a resident input here between calls).
   */
  readonly inputs: Inputs;
  /** The kernel's own memory for the output${c.outputs.length > 1 ? 's, in ABI order' : ''}: what run() returns when given no \`out\`; the next run() overwrites it. */
  readonly ${c.outputs.length > 1 ? 'outputs' : 'output'}: Output;${prepared.method}
  /**
   * Runs the kernel on the inputs (row-major, each in its dtype's typed array, in
   * ABI order; see \`tensors\`). Writes the result into \`out\` and returns it
   * when given, else returns \`output\`. Allocates nothing; throws a TypeError or
   * RangeError naming an argument that is not the right typed array of the right length.
   */
  run(...args: [...${prepared.runArgs}, out?: Output]): Output;
}
/** Instantiates the kernel; rejects with a message naming the wasm feature the runtime lacks. */
export declare function load(): Promise<Kernel>;
`;
}
