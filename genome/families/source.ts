import { KevoError } from '../../lib/errors.ts';
import type { Problem } from '../ops/index.ts';
import type { SourceGenome } from '../source.ts';
import { wasmLaunch, webgpuLaunch } from './abi.ts';
import type { KernelCode } from './launch.ts';

/** A hand- or LLM-written kernel obeys its backend's ABI for the problem: the launch follows from the op's tensors. */
export function sourceCode(genome: SourceGenome, problem: Problem): KernelCode {
  if (genome.backend === 'wasm') return { language: 'wat', text: genome.text, launch: wasmLaunch(problem) };
  if (!genome.tile) throw new KevoError('BAD_INPUT', 'a WGSL source genome must say the output tile one workgroup covers (tile.rows, tile.cols)');
  return { language: 'wgsl', text: genome.text, launch: webgpuLaunch(problem, { tile: genome.tile, workgroupSize: null }) };
}
