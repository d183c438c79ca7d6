import { elementCount, opFor, outputsOf, referencesOf, type Precision, type Problem } from '../genome/ops/index.ts';
import { dtypeOf, type Storage } from '../genome/dtypes/index.ts';
import type { Rng } from '../lib/rng.ts';

/** What the output should hold at `indices` (all elements when null), with the scale of the error model of `precision`. */
export interface Expected {
  readonly indices: Int32Array | null;
  readonly want: Float64Array;
  readonly magnitude: Float64Array;
}

/**
 * Up to this many reference FLOPs a check computes the whole output (~30 ms in
 * JS); past it, a sample. A 1024^3 matmul's full reference takes ~4 s, a sample ~20 ms.
 */
const FULL_REFERENCE_FLOPS = 3e7;
const SAMPLE_FLOPS = 2e7;

export function expectedOutput(problem: Problem, inputs: readonly Storage[], rng: Rng, precision: Precision = 'f32'): Expected {
  const op = opFor(problem);
  if (op.flops(problem) <= FULL_REFERENCE_FLOPS || !op.referenceAt) {
    return { indices: null, want: op.reference(problem, inputs), magnitude: op.magnitude(problem, inputs, precision) };
  }
  const indices = sampleIndices(op.output(problem).dims, Math.ceil(SAMPLE_FLOPS / (op.flops(problem) / elementCount(op.output(problem).dims))), rng);
  return { indices, ...op.referenceAt(problem, inputs, indices, precision) };
}

/**
 * What every output should hold, in ABI order. An op with several outputs
 * gets full references (a later output, such as a requantized C's shift,
 * depends on every element of the first, so a sample would save nothing);
 * the magnitude bound speaks of the first output, so a later float output is
 * judged by the tolerance's absolute part alone (a later int one exactly).
 */
export function expectedOutputs(problem: Problem, inputs: readonly Storage[], rng: Rng, precision: Precision = 'f32'): Expected[] {
  const op = opFor(problem);
  const outputs = outputsOf(op, problem);
  if (outputs.length === 1) return [expectedOutput(problem, inputs, rng, precision)];
  // An int output is compared exactly: its magnitude bound (a second pass as long as the reference) goes unread.
  const judged = (i: number) => i === 0 && dtypeOf(outputs[0]!.dtype).kind !== 'int';
  const magnitude = judged(0) ? op.magnitude(problem, inputs, precision) : undefined;
  return referencesOf(op, problem, inputs).map((want, i) => ({ indices: null, want, magnitude: judged(i) ? magnitude! : new Float64Array(want.length) }));
}

/**
 * The first and last row and column of the output (where tiles end and
 * remainders live) plus random elements up to `budget`, sorted and distinct.
 */
export function sampleIndices(dims: readonly number[], budget: number, rng: Rng): Int32Array {
  const cols = dims[dims.length - 1] ?? 1;
  const rows = elementCount(dims) / cols;
  const chosen = new Set<number>();
  for (let j = 0; j < cols; j++) chosen.add(j).add((rows - 1) * cols + j);
  for (let i = 0; i < rows; i++) chosen.add(i * cols).add(i * cols + cols - 1);
  const total = rows * cols;
  for (let tries = 0; chosen.size < Math.min(budget, total) && tries < budget * 4; tries++) chosen.add(rng.int(0, total - 1));
  return Int32Array.from([...chosen].sort((x, y) => x - y));
}
