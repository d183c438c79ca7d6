import { numericAccuracy, type Problem } from '../../genome/ops/index.ts';
import { KevoError } from '../../lib/errors.ts';
import type { Backend } from '../../genome/genome.ts';
import type { BestRow } from './rows.ts';
import type { Store } from './store.ts';

/** What places a kernel on the front: its measured error (lower is better) and its speedup over the baseline (higher is better). */
export interface Tradeoff {
  readonly error: number;
  readonly speedup: number;
}

/**
 * The Pareto front of accuracy against speed: the points no other point
 * beats on both axes, most accurate first (so speed rises along it). A
 * point is dominated when another has error <= and speedup >= with one of
 * them strict; of points equal on both axes the first given stays. Points
 * whose error or speedup is not a finite number (an error never measured)
 * are left out: they cannot be placed.
 */
export function paretoFront<T extends Tradeoff>(points: readonly T[]): T[] {
  const placed = points.filter((p) => Number.isFinite(p.error) && p.error >= 0 && Number.isFinite(p.speedup) && p.speedup > 0);
  // Most accurate first, faster first among equal errors; the sort is stable, so among exact ties the first given leads.
  const sorted = [...placed].sort((a, b) => a.error - b.error || b.speedup - a.speedup);
  const front: T[] = [];
  for (const point of sorted) {
    // Everything before it is at least as accurate: it stays only if it is strictly faster than all of them.
    if (front.length === 0 || point.speedup > front[front.length - 1]!.speedup) front.push(point);
  }
  return front;
}

/** One kernel on a front, in the units a person reads. */
export interface FrontPoint extends Tradeoff {
  readonly kernelId: string;
  /** The compute precision the harness held it to: f32, f32-fma, f16, i8, w4. */
  readonly precision: string;
  readonly medianMs: number;
  readonly gflops: number;
  readonly genome: BestRow['genome'];
}

/** The front of one device class: speedups compare only within one. */
export interface DeviceFront {
  readonly deviceClass: { readonly id: string; readonly label: string };
  readonly accuracy: number;
  readonly points: FrontPoint[];
}

/** The problem's numeric accuracy; BAD_INPUT when it has none (a front needs precisions that compete). */
export function frontAccuracy(problem: Problem): number {
  const accuracy = numericAccuracy(problem);
  if (accuracy !== undefined) return accuracy;
  throw new KevoError('BAD_INPUT', `the accuracy front needs a numeric accuracy (e.g. 1e-2), not ${problem.accuracy ?? 'f32'}: only then do kernels of different precisions compete`);
}

/**
 * The accuracy fronts of a problem with a numeric accuracy, one per device
 * class, from its stored verified kernels (Store.best rows: each kernel's
 * best evaluation). A kernel's error is its MeasuredError.ofTolerance times
 * the accuracy: under a numeric accuracy every check's limit is the accuracy
 * times the check's scale, so that is max |C - ref| / scale over all checks.
 */
export function accuracyFronts(problem: Problem, rows: readonly BestRow[]): DeviceFront[] {
  const accuracy = frontAccuracy(problem);
  const byDevice = new Map<string, BestRow[]>();
  for (const row of rows) byDevice.set(row.deviceClass.id, [...(byDevice.get(row.deviceClass.id) ?? []), row]);
  return [...byDevice.values()].map((deviceRows) => ({
    deviceClass: deviceRows[0]!.deviceClass,
    accuracy,
    points: paretoFront(
      deviceRows.map((row) => ({
        kernelId: row.kernelId,
        precision: row.precision,
        error: row.measuredError === undefined ? NaN : row.measuredError.ofTolerance * accuracy,
        speedup: row.speedup,
        medianMs: row.medianMs,
        gflops: row.gflops,
        genome: row.genome,
      })),
    ),
  }));
}

/** The fronts from the store: every stored kernel the filters keep is a candidate (Store.best without a limit). */
export function storedFronts(store: Store, problem: Problem, filters: { deviceClassId?: string; backend?: Backend; harnessVersion?: number }): DeviceFront[] {
  frontAccuracy(problem);
  return accuracyFronts(problem, store.best(problem, { ...filters, limit: Number.MAX_SAFE_INTEGER }));
}
