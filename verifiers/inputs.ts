import { elementCount, opFor, type Precision, type Problem } from '../genome/ops/index.ts';
import type { Rng } from '../lib/rng.ts';

/** The floating-point format a precision computes in: where values overflow and where subnormals begin. */
export interface Format {
  readonly maxExp: number;
  readonly minNormalExp: number;
  readonly max: number;
  /** Unit roundoff. */
  readonly unit: number;
  /** Every integer up to this is exact. */
  readonly exactIntegers: number;
}
const f32: Format = { maxExp: 127, minNormalExp: -126, max: 3.4028234663852886e38, unit: 2 ** -24, exactIntegers: 2 ** 24 };
const f16: Format = { maxExp: 15, minNormalExp: -14, max: 65504, unit: 2 ** -11, exactIntegers: 2 ** 11 };
export const formats: Record<Precision, Format> = { f32, 'f32-fma': f32, f16 };

export type Distribution = 'normal' | 'uniform' | 'wide' | 'integers';
export const distributions: readonly Distribution[] = ['normal', 'uniform', 'wide', 'integers'];

/** One value per element of every input of the problem, in Op.inputs order. */
export function drawInputs(problem: Problem, draw: (input: number) => number): Float32Array[] {
  return opFor(problem)
    .inputs(problem)
    .map((spec, input) => {
      // A plain loop: Float32Array.from with a mapping function is ~10x slower, and big problems draw millions.
      const values = new Float32Array(elementCount(spec.dims));
      for (let i = 0; i < values.length; i++) values[i] = draw(input);
      return values;
    });
}

/**
 * `wide` spans a quarter of the format's exponent range each way, so products
 * stay normal and sums cannot overflow; `integers` are small enough that every
 * partial sum is exact in any order (see numerics).
 */
export function sampler(distribution: Distribution, rng: Rng, format: Format): () => number {
  switch (distribution) {
    case 'normal':
      return () => rng.normal();
    case 'uniform':
      return () => rng.next();
    case 'wide': {
      const span = Math.floor(format.maxExp / 4);
      return () => (rng.chance(0.5) ? -1 : 1) * 2 ** (rng.next() * 2 * span - span);
    }
    case 'integers':
      return () => rng.int(-8, 8);
  }
}

export function randomInputs(problem: Problem, distribution: Distribution, rng: Rng, format: Format): Float32Array[] {
  const draw = sampler(distribution, rng, format);
  return drawInputs(problem, () => draw());
}
