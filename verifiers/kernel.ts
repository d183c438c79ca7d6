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
  /** Fill the output buffer with POISON, so an element the kernel never writes is seen. */
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

/** A quiet NaN with a recognisable payload: no arithmetic produces exactly these bits. */
export const POISON_BITS = 0x7fa5a5a5;

/**
 * How many elements still hold the poison bits. Bits, not values: a NaN read
 * into a JS number may lose its payload, so poison is only visible in the buffer.
 */
export function poisonCount(output: Float32Array): number {
  const bits = new Uint32Array(output.buffer, output.byteOffset, output.length);
  let count = 0;
  for (let i = 0; i < bits.length; i++) if (bits[i] === POISON_BITS) count++;
  return count;
}

export function fillPoison(target: Float32Array): void {
  new Uint32Array(target.buffer, target.byteOffset, target.length).fill(POISON_BITS);
}
