import type { Tolerance, TensorSpec } from '../genome/ops/index.ts';
import { f32, findPoisoned } from '../genome/dtypes/index.ts';
import { elementName, num } from './describe.ts';
import type { Expected } from './expected.ts';

/** Where f32 may legitimately differ from the f64 reference for one input case. */
export interface Allowance {
  /** Elements whose magnitude is at most this must match exactly (every partial sum is an exact integer). */
  readonly exactUpTo?: number;
  /** Added to the tolerance: rounding in the subnormal range is absolute, not relative. */
  readonly extraAbs?: number;
  /** Elements whose magnitude reaches this may overflow on the way: they are not judged. */
  readonly overflowFrom?: number;
}

/** Told the error and its limit for every element judged by tolerance (not the exact, non-finite or overflowed ones). */
export type Measure = (err: number, limit: number, want: number) => void;

/** Null when the output is right; otherwise a sentence naming the first bad element and how many there are. */
export function checkOutput(
  got: Float32Array,
  expected: Expected,
  tol: Tolerance,
  spec: TensorSpec,
  allow: Allowance = {},
  measure?: Measure,
): string | null {
  const unwritten = checkWritten(got, spec);
  if (unwritten) return unwritten;
  let bad = 0;
  let first = '';
  const count = expected.indices?.length ?? got.length;
  for (let e = 0; e < count; e++) {
    const at = expected.indices ? expected.indices[e]! : e;
    const complaint = judge(got[at]!, expected.want[e]!, expected.magnitude[e]!, tol, allow, measure);
    if (complaint === null) continue;
    if (bad++ === 0) first = `${elementName(spec, at)} = ${num(got[at]!)} but expected ${complaint}`;
  }
  if (bad === 0) return null;
  const of = expected.indices ? `${count} checked elements` : `${count} elements`;
  return `${first}; ${bad} of ${of} off`;
}

/** The "expected ..." half of a complaint, or null when the element is fine. */
function judge(got: number, want: number, magnitude: number, tol: Tolerance, allow: Allowance, measure?: Measure): string | null {
  if (!Number.isFinite(want)) {
    // An Inf in the reference may come out as NaN (Inf - Inf in another summation order): both say "not finite".
    return Number.isFinite(got) ? `${num(want)} (a NaN or Inf in an input must propagate)` : null;
  }
  // A NaN magnitude marks a term the math leaves out that a kernel may still compute as 0 x Inf (a
  // convolution's padding): the math's finite answer and the NaN a padded buffer gives are both right.
  if (Number.isNaN(magnitude)) return null;
  // Once an intermediate overflowed anything may come out: Inf, NaN, or (after a saturating activation, relu(-Inf)) a finite value.
  if (allow.overflowFrom !== undefined && magnitude >= allow.overflowFrom) return null;
  if (allow.exactUpTo !== undefined && magnitude <= allow.exactUpTo) {
    return got === want ? null : `${num(want)} exactly (integer inputs, every partial sum exact)`;
  }
  const limit = tol.abs + tol.rel * magnitude + (allow.extraAbs ?? 0);
  const err = Math.abs(got - want);
  if (!(err <= limit)) return `${num(want)} (|err| ${num(err)} > tol ${num(limit)})`;
  measure?.(err, limit, want);
  return null;
}

/** Null when the kernel wrote every output element (none still holds the poison). */
export function checkWritten(got: Float32Array, spec: TensorSpec): string | null {
  const unwritten = findPoisoned(f32, got, got.length);
  if (unwritten.count === 0) return null;
  if (unwritten.count === got.length) return `${spec.name} was never written: all ${got.length} elements still hold the poison`;
  return `${unwritten.count} of ${got.length} elements of ${spec.name} were never written, first ${elementName(spec, unwritten.first)}`;
}

/** Null when the kernel left every input as written; otherwise which element it changed. */
export function checkInputsUnchanged(before: readonly Float32Array[], after: readonly Float32Array[], specs: readonly TensorSpec[]): string | null {
  for (let t = 0; t < before.length; t++) {
    const was = new Uint32Array(before[t]!.buffer, before[t]!.byteOffset, before[t]!.length);
    const now = new Uint32Array(after[t]!.buffer, after[t]!.byteOffset, after[t]!.length);
    let changed = 0;
    let first = -1;
    for (let i = 0; i < was.length; i++) {
      if (was[i] === now[i]) continue;
      if (changed++ === 0) first = i;
    }
    if (changed > 0) {
      const spec = specs[t]!;
      return `the kernel wrote into input ${spec.name}: ${elementName(spec, first)} was ${num(before[t]![first]!)}, now ${num(after[t]![first]!)} (${changed} of ${was.length} elements changed)`;
    }
  }
  return null;
}
