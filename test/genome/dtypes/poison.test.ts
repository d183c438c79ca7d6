import { describe, expect, it } from 'vitest';
import { bf16, dtypes, f16, f32, fillPoison, findPoisoned, i4, i8 } from '../../../genome/dtypes/index.ts';

describe('poison', () => {
  it('is a NaN for every float type that no conversion or arithmetic produces', () => {
    for (const d of [f32, f16, bf16]) {
      expect(d.fromBits(d.poisonBits)).toBeNaN();
      expect(d.toBits(NaN)).not.toBe(d.poisonBits);
      expect(d.toBits(0 / 0)).not.toBe(d.poisonBits);
      expect(d.toBits(Infinity - Infinity)).not.toBe(d.poisonBits);
    }
  });

  it('finds exactly the elements a run left unwritten, for every dtype', () => {
    for (const d of Object.values(dtypes)) {
      const storage = d.allocate(7);
      fillPoison(d, storage);
      expect(findPoisoned(d, storage, 7), d.name).toEqual({ count: 7, first: 0 });
      for (const i of [0, 1, 4]) d.set(storage, i, 1);
      expect(findPoisoned(d, storage, 7), d.name).toEqual({ count: 4, first: 2 });
      for (let i = 0; i < 7; i++) d.set(storage, i, 0);
      expect(findPoisoned(d, storage, 7), d.name).toEqual({ count: 0, first: -1 });
    }
  });

  it('gives narrow ints a complement poison, so a result equal to the poison is told apart by a second run', () => {
    expect(i8.alternatePoisonBits).toBe(0x5a);
    expect(i4.alternatePoisonBits).toBe(0x5);
    const storage = i8.allocate(2);
    fillPoison(i8, storage);
    i8.set(storage, 0, i8.get(storage, 0)); // a kernel that writes exactly the poison value
    fillPoison(i8, storage, true);
    i8.set(storage, 0, -91);
    expect(findPoisoned(i8, storage, 2, true)).toEqual({ count: 1, first: 1 });
    expect(findPoisoned(i8, storage, 2)).toEqual({ count: 1, first: 0 });
  });
});
