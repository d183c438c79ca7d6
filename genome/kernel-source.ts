import type { Genome } from './genome.ts';
import type { Problem } from './ops/problem.ts';
import { matmulWat } from './wasm/codegen.ts';
import { matmulWgsl } from './webgpu/codegen.ts';

/** A kernel as text: the source a worker assembles or compiles. */
export interface KernelText {
  readonly language: 'wat' | 'wgsl';
  readonly text: string;
  /** WGSL: the output tile one workgroup covers (it fixes the dispatch size). */
  readonly tile?: { rows: number; cols: number };
}

/**
 * The kernel a worker must run for a genome: codegen's text for a tiled
 * genome, the genome's own text for a source. A result whose kernel differs
 * was not made from its job, and the coordinator refuses it.
 */
export function kernelSource(genome: Genome, problem: Problem): KernelText {
  if (genome.family === 'source') return { language: genome.language, text: genome.text, ...(genome.tile ? { tile: genome.tile } : {}) };
  if (genome.backend === 'wasm') return { language: 'wat', text: matmulWat(genome, problem) };
  const { wgsl, tile } = matmulWgsl(genome, problem);
  return { language: 'wgsl', text: wgsl, tile };
}
