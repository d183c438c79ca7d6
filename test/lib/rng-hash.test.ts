import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalHash, canonicalJson } from '../../lib/hash.ts';
import { Rng } from '../../lib/rng.ts';

describe('Rng', () => {
  it('is reproducible from a seed and from its saved state', () => {
    const a = new Rng(42);
    const first = [a.next(), a.next()];
    expect([new Rng(42).next(), new Rng(42).next()][0]).toBe(first[0]);
    const saved = a.state();
    const continued = [a.nextU32(), a.nextU32()];
    const restored = new Rng(saved);
    expect([restored.nextU32(), restored.nextU32()]).toEqual(continued);
  });

  it('int stays within its inclusive bounds', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -50, max: 50 }), fc.integer({ min: 0, max: 50 }), (seed, lo, span) => {
        const rng = new Rng(seed);
        for (let i = 0; i < 20; i++) {
          const v = rng.int(lo, lo + span);
          if (v < lo || v > lo + span || !Number.isInteger(v)) return false;
        }
        return true;
      }),
    );
  });
});

describe('canonical hash', () => {
  it('ignores key order at every depth and undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe('{"a":{"d":[1,{"x":1,"y":2}]},"b":1}');
    expect(canonicalHash({ x: 1, y: { p: 2, q: 3 } })).toBe(canonicalHash({ y: { q: 3, p: 2 }, x: 1 }));
    expect(canonicalHash({ x: 1 })).not.toBe(canonicalHash({ x: 2 }));
  });
});
