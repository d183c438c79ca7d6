import { kendallTau, median, spearman } from '../lib/stats.ts';

/** One kernel's re-timing on one device class, as stored (store/promotions.ts). */
export interface ClassTiming {
  readonly genomeHash: string;
  readonly deviceClass: { readonly id: string; readonly label: string };
  readonly status: string;
  readonly ratios: readonly number[];
  readonly interval?: { readonly estimate: number; readonly low: number; readonly high: number } | undefined;
}

export interface PortabilityReport {
  /** Per device class: each kernel's speedup over that class's baseline (absent where it did not verify), and the fastest. */
  readonly classes: readonly {
    readonly id: string;
    readonly label: string;
    readonly kernels: readonly { genomeHash: string; status: string; speedup?: number; low?: number; high?: number }[];
    readonly winner?: string;
  }[];
  /** Per pair of classes, over the kernels timed on both: how alike their rankings are. NaN: fewer than two such kernels, or no spread. */
  readonly pairs: readonly { a: string; b: string; kernels: number; spearman: number; kendallTau: number }[];
}

/**
 * Which kernels win where, and whether a ranking on one device class carries
 * over to another: each class's speedups (median of its rounds), the winner
 * per class, and the rank correlation of every pair of classes over the
 * kernels both timed. The latest timing of each kernel on each class counts.
 */
export function portabilityReport(timings: readonly ClassTiming[]): PortabilityReport {
  const latest = new Map<string, ClassTiming>();
  for (const t of timings) latest.set(`${t.deviceClass.id} ${t.genomeHash}`, t);
  const byClass = new Map<string, { label: string; kernels: Map<string, ClassTiming> }>();
  for (const t of latest.values()) {
    const entry = byClass.get(t.deviceClass.id) ?? { label: t.deviceClass.label, kernels: new Map() };
    entry.kernels.set(t.genomeHash, t);
    byClass.set(t.deviceClass.id, entry);
  }
  const speedupOf = (t: ClassTiming | undefined): number | undefined =>
    t && t.status === 'ok' && t.ratios.length > 0 ? (t.interval?.estimate ?? median(t.ratios)) : undefined;
  const classes = [...byClass].map(([id, { label, kernels }]) => {
    const rows = [...kernels.values()].map((t) => ({
      genomeHash: t.genomeHash,
      status: t.status,
      ...(speedupOf(t) !== undefined ? { speedup: speedupOf(t)! } : {}),
      ...(t.interval ? { low: t.interval.low, high: t.interval.high } : {}),
    }));
    rows.sort((x, y) => (y.speedup ?? -Infinity) - (x.speedup ?? -Infinity));
    return { id, label, kernels: rows, ...(rows[0]?.speedup !== undefined ? { winner: rows[0].genomeHash } : {}) };
  });
  const pairs = classes.flatMap((a, i) =>
    classes.slice(i + 1).map((b) => {
      const shared = [...byClass.get(a.id)!.kernels.keys()].flatMap((hash) => {
        const x = speedupOf(byClass.get(a.id)!.kernels.get(hash));
        const y = speedupOf(byClass.get(b.id)!.kernels.get(hash));
        return x !== undefined && y !== undefined ? [[x, y] as const] : [];
      });
      const xs = shared.map((p) => p[0]);
      const ys = shared.map((p) => p[1]);
      return { a: a.id, b: b.id, kernels: shared.length, spearman: spearman(xs, ys), kendallTau: kendallTau(xs, ys) };
    }),
  );
  return { classes, pairs };
}
