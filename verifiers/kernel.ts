import type { Storage } from '../genome/dtypes/dtype.ts';
import type { Problem } from '../genome/ops/problem.ts';

/**
 * A compiled kernel bound to one problem, on any backend. The verifiers and
 * the timing loop speak only this, so the same harness judges WASM and WebGPU
 * kernels. Buffers live where the backend keeps them (wasm linear memory, GPU
 * buffers); reads return copies.
 */
export interface Kernel {
  readonly problem: Problem;
  /**
   * Copy the op's inputs (in Op.inputs order, each in its TensorSpec's dtype
   * storage) into the kernel's input buffers. A kernel with a load-time step
   * runs it here whenever one of its `weights` differs from what it last packed.
   */
  write(inputs: readonly Storage[]): Promise<void>;
  /** The inputs (Op.inputs order) the kernel packs at load time, as XNNPACK packs weights: empty when it packs nothing. */
  readonly weights: readonly number[];
  /** Milliseconds the last load-time pack took; undefined when the kernel has none (not part of run()'s time). */
  prepareMs(): number | undefined;
  /** Fill every output buffer with its dtype's poison bits, so an element the kernel never writes is seen. */
  poison(): Promise<void>;
  run(): Promise<void>;
  /** Every output (the op's outputs, in ABI order), each in its TensorSpec's dtype storage. */
  readOutputs(): Promise<Storage[]>;
  /** The input buffers as they are now: a kernel must leave them unchanged. */
  readInputs(): Promise<Storage[]>;
  /** Run back to back `runs` times; the mean milliseconds per run. */
  timeRuns(runs: number): Promise<number>;
  dispose(): Promise<void>;
}

/** Compiles one genome (or source) for a given problem: the shape sweep asks it for several. */
export type KernelBuilder = (problem: Problem) => Promise<Kernel>;
