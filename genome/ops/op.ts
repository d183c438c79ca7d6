import type { Problem } from './problem.ts';

export interface TensorSpec {
  readonly name: string;
  readonly dims: readonly number[];
}

/** The absolute error bound a kernel output element may show against the f64 reference. */
export interface Tolerance {
  /** |got - want| <= abs + rel * scale, where scale is the op's own magnitude bound for that element. */
  readonly abs: number;
  readonly rel: number;
}

export type Precision = 'f32' | 'f32-fma' | 'f16';

/**
 * A kernel family with a math contract. Everything a backend, verifier or
 * strategy needs to know about an op comes from here, so adding an op means
 * adding one of these (and codegen for it), not editing the harness.
 */
export interface Op<P extends Problem = Problem> {
  readonly name: P['op'];
  /** Parse the CLI's --shape text, e.g. "512x512x512". Throws BAD_INPUT. */
  parseShape(text: string): P['shape'];
  formatShape(shape: P['shape']): string;
  inputs(problem: P): TensorSpec[];
  output(problem: P): TensorSpec;
  /** Exact-as-possible answer: f64 accumulation over the f32 inputs. */
  reference(problem: P, inputs: readonly Float32Array[]): Float64Array;
  /**
   * Per-element magnitude bound used by the error model (for matmul, sum_k |a||b|),
   * so tolerances scale with the data rather than being one global epsilon.
   */
  magnitude(problem: P, inputs: readonly Float32Array[]): Float64Array;
  /**
   * reference and magnitude for a few output elements (flat row-major indices),
   * so verifiers can check big problems on a sample at a fraction of the full cost.
   */
  referenceAt?(problem: P, inputs: readonly Float32Array[], indices: ArrayLike<number>): { want: Float64Array; magnitude: Float64Array };
  tolerance(problem: P, precision: Precision): Tolerance;
  flops(problem: P): number;
  bytes(problem: P): number;
  /** Smaller shapes that exercise the edges of any tiling: 1s, primes, one past a power of two. */
  edgeShapes(problem: P): P[];
}
