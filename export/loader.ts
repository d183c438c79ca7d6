import type { Problem, TensorSpec } from '../genome/ops/index.ts';

/** A tensor as an exported kernel's ABI lists it (meta.json, the loader's `tensors`). */
export interface AbiTensor extends TensorSpec {
  readonly dtype: Problem['dtype'];
}

/** The generated loaders' argument check (JavaScript source): the error names the argument. */
export const CHECK_JS = `function checkArgument(array, length, what) {
  if (!(array instanceof Float32Array)) {
    throw new TypeError('run(): ' + what + ' must be a Float32Array, got ' + Object.prototype.toString.call(array).slice(8, -1));
  }
  if (array.length !== length) throw new RangeError('run(): ' + what + ' must have ' + length + ' elements, got ' + array.length);
}`;

/** run()'s parameters in the generated JavaScript: one per input, then out (no rest parameters, so no array per call). */
export const runParams = (inputs: readonly unknown[]): string[] => [...inputs.map((_, i) => `x${i}`), 'out'];

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * The typings every loader shares: the problem, the tensors, and `Inputs`, a
 * tuple of Float32Arrays labelled with the inputs' names in ABI order.
 */
export function loaderTypes(problem: Problem, tensors: { inputs: readonly AbiTensor[]; output: AbiTensor }): string {
  const labels = tensors.inputs.map((t, i) => (IDENTIFIER.test(t.name) ? t.name : `input${i}`));
  const shapes = tensors.inputs.map((t) => `${t.name} ${t.dims.join('x')}`).join(', ');
  return `export type Problem = ${JSON.stringify(problem)};
export declare const problem: Problem;
export interface Tensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dtype: ${JSON.stringify(problem.dtype)};
}
/** The kernel's tensors in ABI order: inputs ${shapes}; output ${tensors.output.name} ${tensors.output.dims.join('x')}. */
export declare const tensors: { readonly inputs: readonly Tensor[]; readonly output: Tensor };
/** One Float32Array per input, in ABI order. */
export type Inputs = readonly [${labels.map((l) => `${l}: Float32Array`).join(', ')}];`;
}
