import { f16, f32, generator, type FloatLimits } from '../genome/dtypes/index.ts';
import { elementCount, opFor, type Precision, type Problem } from '../genome/ops/index.ts';
import type { Rng } from '../lib/rng.ts';

/** The floating-point format each precision computes in: where values overflow and where subnormals begin. */
export const formats: Record<Precision, FloatLimits> = { f32: f32.limits, 'f32-fma': f32.limits, f16: f16.limits };

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
export function sampler(distribution: Distribution, rng: Rng, format: FloatLimits): () => number {
  switch (distribution) {
    case 'normal':
      return generator(f32, { kind: 'normal' }, rng);
    case 'uniform':
      return generator(f32, { kind: 'uniform', lo: 0, hi: 1 }, rng);
    case 'wide':
      return generator(f32, { kind: 'wide', span: Math.floor(format.maxExp / 4) }, rng);
    case 'integers':
      return generator(f32, { kind: 'integers', lo: -8, hi: 8 }, rng);
  }
}

export function randomInputs(problem: Problem, distribution: Distribution, rng: Rng, format: FloatLimits): Float32Array[] {
  const draw = sampler(distribution, rng, format);
  return drawInputs(problem, () => draw());
}
