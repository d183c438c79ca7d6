import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dtypes, f16, generate, generator, i8, u4, type Distribution } from '../../../genome/dtypes/index.ts';
import { Rng } from '../../../lib/rng.ts';

const distributions: Distribution[] = [{ kind: 'uniform' }, { kind: 'normal' }, { kind: 'integers', lo: -3, hi: 3 }, { kind: 'edges' }];

describe('input generators', () => {
  it('draw only values the dtype holds exactly, the same ones for the same seed', () => {
    fc.assert(
      fc.property(fc.constantFrom(...Object.values(dtypes)), fc.constantFrom(...distributions), fc.nat(), (dtype, distribution, seed) => {
        const values = generate(dtype, 50, distribution, new Rng(seed));
        const again = generate(dtype, 50, distribution, new Rng(seed));
        expect(again).toEqual(values);
        for (let i = 0; i < 50; i++) {
          const v = dtype.get(values, i);
          if (dtype.kind === 'int') {
            expect(Number.isInteger(v)).toBe(true);
            expect(v).toBeGreaterThanOrEqual(dtype.limits.min);
            expect(v).toBeLessThanOrEqual(dtype.limits.max);
          } else if (!Number.isNaN(v)) {
            expect(Object.is(dtype.fromBits(dtype.toBits(v)), v)).toBe(true);
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('keeps uniform draws inside the range asked for', () => {
    const draw = generator(f16, { kind: 'uniform', lo: 2, hi: 3 }, new Rng(1));
    const ints = generator(i8, { kind: 'uniform', lo: -2, hi: 2 }, new Rng(1));
    for (let i = 0; i < 1000; i++) {
      const v = draw();
      expect(v >= 2 && v <= 3).toBe(true);
      expect(Math.abs(ints())).toBeLessThanOrEqual(2);
    }
    const whole = new Set(Array.from({ length: 2000 }, generator(i8, { kind: 'uniform' }, new Rng(2))));
    expect(whole.has(-128) && whole.has(127)).toBe(true);
  });

  it('reaches every edge value, and clamps normal ints into range', () => {
    for (const dtype of Object.values(dtypes)) {
      const seen = Array.from({ length: 500 }, generator(dtype, { kind: 'edges', chance: 1 }, new Rng(3)));
      for (const edge of dtype.edgeValues) expect(seen.some((v) => Object.is(v, edge)), `${dtype.name} ${edge}`).toBe(true);
    }
    const wide = Array.from({ length: 1000 }, generator(u4, { kind: 'normal', std: 100 }, new Rng(4)));
    expect(Math.min(...wide)).toBe(0);
    expect(Math.max(...wide)).toBe(15);
  });

  it('draws wide floats over both signs and the exponents asked for', () => {
    const values = Array.from({ length: 1000 }, generator(dtypes.f32, { kind: 'wide', span: 10 }, new Rng(5)));
    expect(values.every((v) => Math.abs(v) >= 2 ** -10 && Math.abs(v) <= 2 ** 10)).toBe(true);
    expect(values.some((v) => v < 0) && values.some((v) => v > 0)).toBe(true);
    expect(values.some((v) => Math.abs(v) < 2 ** -8) && values.some((v) => Math.abs(v) > 2 ** 8)).toBe(true);
  });
});
