import type { Rng } from '../../lib/rng.ts';
import type { Dtype, Storage } from './dtype.ts';

/**
 * How input values are drawn. Every draw is a value the dtype holds exactly
 * (floats rounded to nearest even, ints rounded and clamped), so the f64
 * reference sees what the kernel sees.
 * - uniform: in [lo, hi) for floats, an integer in [lo, hi] for ints; by default
 *   [-1, 1) and the int's whole range.
 * - normal: mean + std * N(0, 1); by default N(0, 1) for floats, and centred on
 *   the int's range with an eighth of it as std.
 * - integers: an integer in [lo, hi] for any dtype (integer sums are exact, so
 *   a float result must match exactly).
 * - wide: random sign times 2^u, u uniform in [-span, span] (floats: exponents
 *   far from 1 without overflowing products).
 * - edges: one of the dtype's edge values with probability `chance` (by
 *   default a half), otherwise the normal draw.
 */
export type Distribution =
  | { readonly kind: 'uniform'; readonly lo?: number; readonly hi?: number }
  | { readonly kind: 'normal'; readonly mean?: number; readonly std?: number }
  | { readonly kind: 'integers'; readonly lo: number; readonly hi: number }
  | { readonly kind: 'wide'; readonly span: number }
  | { readonly kind: 'edges'; readonly chance?: number };

/** A function drawing one value per call from rng. */
export function generator(dtype: Dtype, distribution: Distribution, rng: Rng): () => number {
  const fit = fitter(dtype);
  switch (distribution.kind) {
    case 'uniform': {
      if (dtype.kind === 'int') {
        const lo = distribution.lo ?? dtype.limits.min;
        const hi = distribution.hi ?? dtype.limits.max;
        return () => fit(rng.int(lo, hi));
      }
      const lo = distribution.lo ?? -1;
      const width = (distribution.hi ?? 1) - lo;
      return () => fit(lo + width * rng.next());
    }
    case 'normal': {
      const { mean, std } = normalParameters(dtype, distribution);
      const normal = normals(rng);
      return () => fit(mean + std * normal());
    }
    case 'integers':
      return () => fit(rng.int(distribution.lo, distribution.hi));
    case 'wide': {
      const { span } = distribution;
      return () => fit((rng.chance(0.5) ? -1 : 1) * 2 ** (rng.next() * 2 * span - span));
    }
    case 'edges': {
      const chance = distribution.chance ?? 0.5;
      const otherwise = generator(dtype, { kind: 'normal' }, rng);
      return () => (rng.chance(chance) ? rng.pick(dtype.edgeValues) : otherwise());
    }
  }
}

/** Fresh storage holding `count` draws. */
export function generate(dtype: Dtype, count: number, distribution: Distribution, rng: Rng): Storage {
  return fill(dtype, count, generator(dtype, distribution, rng));
}

/**
 * Fresh storage of `count` elements, each `draw()`. Where an element is one
 * slot of its typed array (f32, whole-byte ints) the value goes in by plain
 * assignment, no per-element conversion: draws already hold only values the
 * dtype holds exactly (a GEMV's 16M weights are drawn many times per job).
 */
export function fill(dtype: Dtype, count: number, draw: () => number): Storage {
  const storage = dtype.allocate(count);
  if (dtype.name === 'f32' || (dtype.kind === 'int' && dtype.bits >= 8)) {
    const slots = storage as Float32Array | Int8Array;
    for (let i = 0; i < count; i++) slots[i] = draw();
  } else {
    for (let i = 0; i < count; i++) dtype.set(storage, i, draw());
  }
  return storage;
}

/** Standard normals two per Box-Muller transform (the cosine and the sine of one draw): half the uniform draws and logarithms of one a call. */
function normals(rng: Rng): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const z = spare;
      spare = null;
      return z;
    }
    const radius = Math.sqrt(-2 * Math.log(Math.max(rng.next(), 1e-12)));
    const angle = 2 * Math.PI * rng.next();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}

function normalParameters(dtype: Dtype, d: { readonly mean?: number; readonly std?: number }): { mean: number; std: number } {
  if (dtype.kind === 'float') return { mean: d.mean ?? 0, std: d.std ?? 1 };
  const { min, max } = dtype.limits;
  return { mean: d.mean ?? (min + max) / 2, std: d.std ?? (max - min) / 8 };
}

/** The value the dtype stores for x. */
function fitter(dtype: Dtype): (x: number) => number {
  // Math.fround is f32's round to nearest even, without the round trip through bits.
  if (dtype.name === 'f32') return Math.fround;
  if (dtype.kind === 'float') return (x) => dtype.fromBits(dtype.toBits(x));
  const { min, max } = dtype.limits;
  return (x) => Math.min(max, Math.max(min, Math.round(x)));
}
