import type { z } from 'zod';
import type { Storage } from '../dtypes/dtype.ts';
import type { DtypeName } from '../dtypes/name.ts';
import type { Rng } from '../../lib/rng.ts';
import type { Precision } from './accuracy.ts';
import type { Problem } from './problem.ts';

export type { Precision } from './accuracy.ts';

export interface TensorSpec {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dtype: DtypeName;
}

/**
 * The input case a verifier stage draws for ('normal', 'uniform', 'wide',
 * 'integers', the edge cases 'min', 'max', 'extremes', 'NaN', ...): an op's
 * drawInput hook may treat special tensors (scales, zero points) by it.
 */
export type InputCase = string;

/** The absolute error bound a kernel output element may show against the f64 reference. */
export interface Tolerance {
  /** |got - want| <= abs + rel * scale, where scale is the op's own magnitude bound for that element. */
  readonly abs: number;
  readonly rel: number;
}

/**
 * An op's math contract. Everything a backend, verifier or strategy needs to
 * know about an op comes from here; how it runs on a backend is a kernel
 * family's business (genome/families).
 */
export interface Op<P extends Problem = Problem> {
  readonly name: string;
  /** The op's problem schema: `op` is its name, `shape` its dimensions. */
  readonly problem: z.ZodType<P>;
  /** The math in words an LLM (or a person) can check a kernel against: the formula and the error model's magnitude. */
  readonly contract: { readonly formula: string; readonly magnitude: string };
  /** What the problem's dtype scheme adds to the contract (matmul i8: "i32 accumulation wraps mod 2^32"); absent: nothing. */
  dtypeContract?(problem: P): string | undefined;
  /** Parse the CLI's --shape text, e.g. "512x512x512". Throws BAD_INPUT. */
  parseShape(text: string): P['shape'];
  formatShape(shape: P['shape']): string;
  /**
   * Whether the weight inputs stay the same from call to call (a model's
   * weights), so a kernel may pack them once at load time and leave the
   * pack out of its per-call time. Absent or false: every input may change
   * every call, and a kernel that packs at load packs on every call.
   */
  weightsFixed?(problem: P): boolean;
  /** What else besides op, shape and dtype makes two problems different kernels (matmul: its epilogue), for the problem key. */
  variant?(problem: P): string | undefined;
  /** The inputs in the kernel ABI's order: one buffer or binding each, then the outputs'. */
  inputs(problem: P): TensorSpec[];
  /**
   * The output, or with several the first: the one `reference`, `magnitude`,
   * `referenceAt` and a launch's dispatch speak of.
   */
  output(problem: P): TensorSpec;
  /**
   * Every output in ABI order (after the inputs), `output` first, for an op
   * with several (matmul i16 requantized: C and its shift). Absent: the one
   * output. Use `outputsOf`/`referencesOf`, which fill in the single case.
   */
  outputs?(problem: P): TensorSpec[];
  /**
   * Exact-as-possible answer over the inputs (each in its TensorSpec's dtype:
   * genome/dtypes Storage), as f64: f64 accumulation for float outputs, the
   * exact integer (wrapped as the contract says) for int outputs. The first
   * output's, when there are several.
   */
  reference(problem: P, inputs: readonly Storage[]): Float64Array;
  /** Every output's reference, in `outputs` order; with `outputs` only. */
  references?(problem: P, inputs: readonly Storage[]): Float64Array[];
  /**
   * Per-element magnitude bound used by the error model (for matmul, sum_k |a||b|),
   * so tolerances scale with the data rather than being one global epsilon. A
   * precision whose error model scales with something else (conv2d's
   * f32-winograd: norm products) gets that; absent, the elementwise one.
   */
  magnitude(problem: P, inputs: readonly Storage[], precision?: Precision): Float64Array;
  /**
   * reference and magnitude for a few output elements (flat row-major indices),
   * so verifiers can check big problems on a sample at a fraction of the full cost.
   */
  referenceAt?(problem: P, inputs: readonly Storage[], indices: ArrayLike<number>, precision?: Precision): { want: Float64Array; magnitude: Float64Array };
  /**
   * Whether small integer inputs give outputs every correct kernel computes
   * exactly (only adds, multiplies and max on the way), so the numerics stage
   * may demand exact equality there. Absent: no.
   */
  exactOnIntegers?(problem: P): boolean;
  /**
   * Draws input `input` (Op.inputs order) for an input case, where the
   * dtype's own generator would draw values the contract forbids (scales must
   * be positive and finite, zero points in range): undefined leaves it to the
   * harness's draw by the tensor's dtype.
   */
  drawInput?(problem: P, input: number, inputCase: InputCase, rng: Rng): Storage | undefined;
  /** The error model: per (op, dtypes, compute precision). Ignored for int outputs, which must match exactly. */
  tolerance(problem: P, precision: Precision): Tolerance;
  flops(problem: P): number;
  bytes(problem: P): number;
  /** Smaller shapes that exercise the edges of any tiling: 1s, primes, one past a power of two. */
  edgeShapes(problem: P): P[];
}

/**
 * The op as code outside it uses it: every method takes any Problem and
 * parses it with the op's schema first, so no caller casts to the op's type.
 */
export function eraseOp<P extends Problem>(op: Op<P>): Op {
  const own = (problem: Problem): P => op.problem.parse(problem);
  return {
    name: op.name,
    problem: op.problem,
    contract: op.contract,
    parseShape: (text) => op.parseShape(text),
    formatShape: (shape) => op.formatShape(op.problem.parse({ op: op.name, shape }).shape),
    dtypeContract: (p) => op.dtypeContract?.(own(p)),
    variant: (p) => op.variant?.(own(p)),
    ...(op.weightsFixed ? { weightsFixed: (p: Problem) => op.weightsFixed!(own(p)) } : {}),
    inputs: (p) => op.inputs(own(p)),
    output: (p) => op.output(own(p)),
    ...(op.outputs ? { outputs: (p: Problem) => op.outputs!(own(p)) } : {}),
    reference: (p, inputs) => op.reference(own(p), inputs),
    ...(op.references ? { references: (p: Problem, inputs: readonly Storage[]) => op.references!(own(p), inputs) } : {}),
    magnitude: (p, inputs, precision) => op.magnitude(own(p), inputs, precision),
    ...(op.referenceAt
      ? { referenceAt: (p: Problem, inputs: readonly Storage[], indices: ArrayLike<number>, precision?: Precision) => op.referenceAt!(own(p), inputs, indices, precision) }
      : {}),
    ...(op.drawInput ? { drawInput: (p: Problem, input: number, inputCase: InputCase, rng: Rng) => op.drawInput!(own(p), input, inputCase, rng) } : {}),
    exactOnIntegers: (p) => op.exactOnIntegers?.(own(p)) ?? false,
    tolerance: (p, precision) => op.tolerance(own(p), precision),
    flops: (p) => op.flops(own(p)),
    bytes: (p) => op.bytes(own(p)),
    edgeShapes: (p) => op.edgeShapes(own(p)),
  };
}

/** The op's outputs in ABI order: one for most ops. */
export function outputsOf<P extends Problem>(op: Op<P>, problem: P): TensorSpec[] {
  return op.outputs?.(problem) ?? [op.output(problem)];
}

/** The reference of every output, in `outputsOf` order. */
export function referencesOf<P extends Problem>(op: Op<P>, problem: P, inputs: readonly Storage[]): Float64Array[] {
  return op.references?.(problem, inputs) ?? [op.reference(problem, inputs)];
}

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}
