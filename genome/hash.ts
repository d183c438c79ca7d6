import { canonicalHash } from '../lib/hash.ts';

/**
 * Genomes were hashed before they carried their op, and every stored cache
 * entry, job id, lineage row and LLM review is keyed by that hash. Matmul was
 * the only op then, so a matmul genome hashes without its `op` field: old
 * databases keep answering from their cache with no rehash migration.
 */
const OP_BEFORE_FAMILIES = 'matmul';

/** Same genome, same id, whatever the key order. */
export function genomeHash(genome: object): string {
  if ('op' in genome && genome.op === OP_BEFORE_FAMILIES) {
    const { op: _op, ...rest } = genome;
    return canonicalHash(rest);
  }
  return canonicalHash(genome);
}
