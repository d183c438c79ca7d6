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

/**
 * The typings every loader shares: the problem, the tensors, and `Inputs`, a
 * tuple of typed arrays labelled with the inputs' names in ABI order.
 */
export function loaderTypes(problem: Problem, tensors: { inputs: readonly AbiTensor[]; output: AbiTensor }): string {
  const labels = inputLabels(tensors.inputs);
  const shapes = tensors.inputs.map((t) => `${t.name} ${t.dims.join('x')}`).join(', ');
  return `export type Problem = ${JSON.stringify(problem)};
export declare const problem: Problem;
export interface Tensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dtype: ${[...new Set([...tensors.inputs, tensors.output].map((t) => JSON.stringify(t.dtype)))].join(' | ')};
}
/** The kernel's tensors in ABI order: inputs ${shapes}; output ${tensors.output.name} ${tensors.output.dims.join('x')}. */
export declare const tensors: { readonly inputs: readonly Tensor[]; readonly output: Tensor };
/** One typed array per input, in ABI order (f32: Float32Array, i8: Int8Array, u8 and packed 4-bit: Uint8Array, f16: Uint16Array of its bits). */
export type Inputs = readonly [${labels.map((l, i) => `${l}: ${arrayType(tensors.inputs[i]!)}`).join(', ')}];
/** The output's typed array. */
export type Output = ${arrayType(tensors.output)};`;
}

/** Each input's name where it is a JavaScript identifier (typings label tuples with them), else input<i>. */
export function inputLabels(inputs: readonly AbiTensor[]): string[] {
  return inputs.map((t, i) => (IDENTIFIER.test(t.name) ? t.name : `input${i}`));
}
