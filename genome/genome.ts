import { z } from 'zod';
import { canonicalHash } from '../lib/hash.ts';
import { SourceGenome } from './source.ts';
import { MatmulWasmGenome } from './wasm/genome.ts';
import { MatmulWebgpuGenome } from './webgpu/genome.ts';

export const Backend = z.enum(['wasm', 'webgpu']);
export type Backend = z.infer<typeof Backend>;

/** Every kernel variant kevo can evaluate: plain JSON, typed by its schema. */
export const Genome = z.union([MatmulWasmGenome, MatmulWebgpuGenome, SourceGenome]);
export type Genome = z.infer<typeof Genome>;

/** Same genome, same id, whatever the key order. */
export function genomeHash(genome: Genome): string {
  return canonicalHash(genome);
}

export { MatmulWasmGenome, MatmulWebgpuGenome, SourceGenome };
