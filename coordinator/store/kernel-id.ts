import { sha256 } from '../../lib/hash.ts';
import type { KernelSource } from '../../protocol/result.ts';

/** Same language and text, same id: two genomes that generate one source share a kernel row. */
export function kernelId(source: KernelSource): string {
  return sha256(`${source.language}\n${source.text}`).slice(0, 16);
}
