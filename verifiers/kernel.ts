import type { Problem } from '../genome/ops/problem.ts';

/**
 * A compiled kernel bound to one problem, on any backend. The verifiers and
 * the timing loop speak only this, so the same harness judges WASM and WebGPU
 * kernels. Buffers live where the backend keeps them (wasm linear memory, GPU
 * buffers); reads return copies.
 */
export interface Kernel {
  readonly problem: Problem;
  /** Copy the op's inputs (in Op.inputs order) into the kernel's input buffers. */
  write(inputs: readonly Float32Array[]): Promise<void>;
  /** Fill the output buffer with its dtype's poison bits, so an element the kernel never writes is seen. */
  poison(): Promise<void>;
  run(): Promise<void>;
  readOutput(): Promise<Float32Array>;
  /** The input buffers as they are now: a kernel must leave them unchanged. */
  readInputs(): Promise<Float32Array[]>;
  /** Run back to back `runs` times; the mean milliseconds per run. */
  timeRuns(runs: number): Promise<number>;
  dispose(): Promise<void>;
}

/** Compiles one genome (or source) for a given problem: the shape sweep asks it for several. */
export type KernelBuilder = (problem: Problem) => Promise<Kernel>;
