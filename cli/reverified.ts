import type { BestRow } from '../coordinator/store/rows.ts';
import type { Store } from '../coordinator/store/store.ts';
import { KevoError } from '../lib/errors.ts';
import { Reverifier, type Reverification, type StoredKernel } from '../worker/reverify.ts';

/** A kernel left out of a ranking, and why. */
export interface Refused {
  readonly kernelId: string;
  readonly reason: string;
}

/** What re-verifying ranked kernels needs from the store, read while it is open, by kernel id. */
export function storedKernels(store: Store, rows: readonly BestRow[]): Map<string, StoredKernel> {
  return new Map(rows.map((row) => [row.kernelId, storedKernel(store, row)]));
}

/** What re-verifying a ranked kernel needs from the store, read while it is open. */
export function storedKernel(store: Store, row: Pick<BestRow, 'kernelId' | 'problem' | 'genome'>): StoredKernel {
  const kernel = store.kernel(row.kernelId);
  if (!kernel) throw new KevoError('FAILURE', `kernel ${row.kernelId} is ranked but not stored`);
  return { problem: row.problem, genome: row.genome, kernel: { language: kernel.language, text: kernel.text } };
}

/**
 * A ranking whose first row passed the verifier harness again on this machine:
 * leading kernels that fail (a forged or corrupted result) are left out and
 * named. Only the first is checked, so reporting costs one harness run.
 */
export async function reverifiedRanking<R extends BestRow>(rows: readonly R[], stored: ReadonlyMap<string, StoredKernel>): Promise<{ rows: R[]; refused: Refused[] }> {
  const refused: Refused[] = [];
  const reverifier = new Reverifier();
  try {
    for (const [i, row] of rows.entries()) {
      const verdict = await reverifier.check(stored.get(row.kernelId)!);
      if (verdict.ok) return { rows: rows.slice(i), refused };
      refused.push({ kernelId: row.kernelId, reason: verdict.reason });
    }
    return { rows: [], refused };
  } finally {
    await reverifier.close();
  }
}

/** One kernel through the harness again, on a pool of its own. */
export async function reverify(stored: StoredKernel): Promise<Reverification> {
  const reverifier = new Reverifier();
  try {
    return await reverifier.check(stored);
  } finally {
    await reverifier.close();
  }
}

/** The stderr line for each kernel left out. */
export function refusedLines(refused: readonly Refused[]): string {
  return refused.map((r) => `kevo: kernel ${r.kernelId} failed re-verification (${r.reason}): left out\n`).join('');
}
