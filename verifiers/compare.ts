import { elementCount, type Tolerance, type TensorSpec } from '../genome/ops/index.ts';
import { dtypeOf, findPoisoned, type Storage } from '../genome/dtypes/index.ts';
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

/**
 * Null when the output is right; otherwise a sentence naming the first bad
 * element and how many there are. The output's dtype decides how: an int
 * output must equal the reference exactly, a float one (f16 decoded from its
 * bits) is judged by the tolerance and allowance.
 */
export function checkOutput(
  got: Storage,
  expected: Expected,
  tol: Tolerance,
  spec: TensorSpec,
  allow: Allowance = {},
  measure?: Measure,
): string | null {
  const unwritten = checkWritten(got, spec);
  if (unwritten) return unwritten;
  const dtype = dtypeOf(spec.dtype);
  let bad = 0;
  let first = '';
  const count = expected.indices?.length ?? elementCount(spec.dims);
  for (let e = 0; e < count; e++) {
    const at = expected.indices ? expected.indices[e]! : e;
    const value = dtype.get(got, at);
    const want = expected.want[e]!;
    const complaint =
      dtype.kind === 'int'
        ? value === want
          ? null
          : `${want} exactly (${spec.dtype} is exact)`
        : judge(value, want, expected.magnitude[e]!, tol, allow, dtype.limits.max, measure);
    if (complaint === null) continue;
    if (bad++ === 0) first = `${elementName(spec, at)} = ${num(value)} but expected ${complaint}`;
  }
  if (bad === 0) return null;
  const of = expected.indices ? `${count} checked elements` : `${count} elements`;
  return `${first}; ${bad} of ${of} off`;
}

/** The "expected ..." half of a complaint, or null when the element is fine. */
function judge(got: number, want: number, magnitude: number, tol: Tolerance, allow: Allowance, outMax: number, measure?: Measure): string | null {
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
  // A result that may lie past the output dtype's largest finite value is stored as the infinity of its sign (f16 outputs of f32 sums).
  if (got === Math.sign(want) * Infinity && Math.abs(want) + limit >= outMax) return null;
  if (!(err <= limit)) return `${num(want)} (|err| ${num(err)} > tol ${num(limit)})`;
  measure?.(err, limit, want);
  return null;
}

/**
 * Null when the kernel wrote every output element (none still holds the
 * poison). Ints of 16 bits or fewer have no value a kernel cannot write
 * (a requantized i16 C holds every one), so their poison may be a right
 * answer: an element left unwritten there is told by its value, against the
 * reference, never by its bits.
 */
export function checkWritten(got: Storage, spec: TensorSpec): string | null {
  if (poisonIsPossible(spec)) return null;
  const count = elementCount(spec.dims);
  const unwritten = findPoisoned(dtypeOf(spec.dtype), got, count);
  if (unwritten.count === 0) return null;
  if (unwritten.count === count) return `${spec.name} was never written: all ${count} elements still hold the poison`;
  return `${unwritten.count} of ${count} elements of ${spec.name} were never written, first ${elementName(spec, unwritten.first)}`;
}

function poisonIsPossible(spec: TensorSpec): boolean {
  const dtype = dtypeOf(spec.dtype);
  return dtype.kind === 'int' && dtype.bits <= 16;
}

/** Null when the kernel left every input as written (bit for bit); otherwise which element it changed. */
export function checkInputsUnchanged(before: readonly Storage[], after: readonly Storage[], specs: readonly TensorSpec[]): string | null {
  for (let t = 0; t < before.length; t++) {
    const spec = specs[t]!;
    const dtype = dtypeOf(spec.dtype);
    const { count, first } = differing(before[t]!, after[t]!, dtype.bytesPerElement);
    if (count > 0) {
      const was = num(dtype.get(before[t]!, first));
      const now = num(dtype.get(after[t]!, first));
      return `the kernel wrote into input ${spec.name}: ${elementName(spec, first)} was ${was}, now ${now} (${count} of ${elementCount(spec.dims)} elements changed)`;
    }
  }
  return null;
}

/**
 * How many elements of two storages differ in their bits, and the first (a
 * packed 4-bit byte counts once, as its first element). Bits, not values: a
 * NaN's payload counts.
 */
export function differing(a: Storage, b: Storage, bytesPerElement: number): { count: number; first: number } {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  const width = Math.max(1, bytesPerElement);
  let count = 0;
  let first = -1;
  for (let e = 0; e * width < x.length; e++) {
    let same = true;
    for (let i = e * width; i < (e + 1) * width; i++) same &&= x[i] === y[i];
    if (same) continue;
    if (count++ === 0) first = Math.floor((e * width) / bytesPerElement);
  }
  return { count, first };
}
