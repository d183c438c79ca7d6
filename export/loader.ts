import { dtypeOf, type DtypeName } from '../genome/dtypes/index.ts';
import { elementCount, type Problem, type TensorSpec } from '../genome/ops/index.ts';

/** A tensor as an exported kernel's ABI lists it (meta.json, the loader's `tensors`). */
export type AbiTensor = TensorSpec;

/** The JavaScript typed array a tensor of the dtype travels in: f16 and bf16 as their bits, packed 4-bit types as their bytes. */
const ARRAY_TYPES: Record<DtypeName, string> = {
  f32: 'Float32Array',
  f16: 'Uint16Array',
  bf16: 'Uint16Array',
  i32: 'Int32Array',
  i16: 'Int16Array',
  i8: 'Int8Array',
  u8: 'Uint8Array',
  i4: 'Uint8Array',
  u4: 'Uint8Array',
};

export function arrayType(t: TensorSpec): string {
  return ARRAY_TYPES[t.dtype];
}

/** The typed array's length for the tensor: its element count, or its byte count for packed 4-bit types. */
export function arrayLength(t: TensorSpec): number {
  const dtype = dtypeOf(t.dtype);
  return dtype.bits < 8 ? dtype.storageBytes(elementCount(t.dims)) : elementCount(t.dims);
}

/** The generated loaders' argument check (JavaScript source): the error names the argument. */
export const CHECK_JS = `function checkArgument(array, Type, length, what, fn = 'run') {
  if (!(array instanceof Type)) {
    throw new TypeError(fn + '(): ' + what + ' must be a ' + Type.name + ', got ' + Object.prototype.toString.call(array).slice(8, -1));
  }
  if (array.length !== length) throw new RangeError(fn + '(): ' + what + ' must have ' + length + ' elements, got ' + array.length);
}`;

/** run()'s parameters in the generated JavaScript: one per input, then out (no rest parameters, so no array per call). */
export const runParams = (inputs: readonly unknown[]): string[] => [...inputs.map((_, i) => `x${i}`), 'out'];

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** An exported kernel's tensors in ABI order: the inputs, then the outputs (one for most ops). */
export interface LoaderTensors {
  readonly inputs: readonly AbiTensor[];
  readonly outputs: readonly AbiTensor[];
}

/**
 * How a loader speaks of its outputs (meta.json's `abi`, the loader's
 * `tensors`): a kernel with one output keeps `output` (one typed array, the
 * API every export had); one with several has `outputs`, in ABI order, and
 * its run() gives an array of typed arrays in that order.
 */
export function outputsField<T>(outputs: readonly T[]): { output: T } | { outputs: readonly T[] } {
  return outputs.length === 1 ? { output: outputs[0]! } : { outputs };
}

/**
 * The typings every loader shares: the problem, the tensors, `Inputs`, a
 * tuple of typed arrays labelled with the inputs' names in ABI order, and
 * `Output`: the output's typed array, or with several outputs a tuple of
 * them labelled with their names.
 */
export function loaderTypes(problem: Problem, tensors: LoaderTensors): string {
  const labels = inputLabels(tensors.inputs);
  const shapes = (list: readonly AbiTensor[]) => list.map((t) => `${t.name} ${t.dims.join('x')}`).join(', ');
  const many = tensors.outputs.length > 1;
  const outputLabels = inputLabels(tensors.outputs);
  return `export type Problem = ${JSON.stringify(problem)};
export declare const problem: Problem;
export interface Tensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dtype: ${[...new Set([...tensors.inputs, ...tensors.outputs].map((t) => JSON.stringify(t.dtype)))].join(' | ')};
}
/** The kernel's tensors in ABI order: inputs ${shapes(tensors.inputs)}; output${many ? 's' : ''} ${shapes(tensors.outputs)}. */
export declare const tensors: { readonly inputs: readonly Tensor[]; ${many ? 'readonly outputs: readonly Tensor[]' : 'readonly output: Tensor'} };
/** One typed array per input, in ABI order (f32: Float32Array, i8: Int8Array, u8 and packed 4-bit: Uint8Array, f16: Uint16Array of its bits). */
export type Inputs = readonly [${labels.map((l, i) => `${l}: ${arrayType(tensors.inputs[i]!)}`).join(', ')}];
${
  many
    ? `/** One typed array per output, in ABI order. */
export type Output = readonly [${outputLabels.map((l, i) => `${l}: ${arrayType(tensors.outputs[i]!)}`).join(', ')}];`
    : `/** The output's typed array. */
export type Output = ${arrayType(tensors.outputs[0]!)};`
}`;
}

/** Each tensor's name where it is a JavaScript identifier (typings label tuples with them), else input<i>. */
export function inputLabels(inputs: readonly AbiTensor[]): string[] {
  return inputs.map((t, i) => (IDENTIFIER.test(t.name) ? t.name : `input${i}`));
}

/**
 * The generated loaders' output check and copy (JavaScript source, over
 * OUTPUTS and the kernel's own `outputs`): \`out\` is one typed array for a
 * single output, an array of them, in ABI order, for several.
 */
export function outputsJs(many: boolean): string {
  return many
    ? `function checkOut(out) {
  if (!Array.isArray(out) || out.length !== OUTPUTS.length) throw new TypeError('run(): out must be an array of ' + OUTPUTS.length + ' typed arrays, one per output');
  OUTPUTS.forEach((t, i) => checkArgument(out[i], t.Type, t.length, 'out[' + i + '] (' + t.name + ')'));
}
function deliver(outputs, out) {
  if (out === undefined) return outputs;
  out.forEach((o, i) => { if (o !== outputs[i]) o.set(outputs[i]); });
  return out;
}`
    : `function checkOut(out) {
  checkArgument(out, OUTPUTS[0].Type, OUTPUTS[0].length, 'out');
}
function deliver(outputs, out) {
  if (out === undefined || out === outputs[0]) return outputs[0];
  out.set(outputs[0]);
  return out;
}`;
}
