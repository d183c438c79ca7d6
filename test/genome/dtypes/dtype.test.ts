import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bf16, DtypeName, dtypeOf, dtypes, f16, f32, i16, i32, i4, i8, packNibbles, u4, u8, unpackNibbles, type IntDtype } from '../../../genome/dtypes/index.ts';

describe('dtype facts', () => {
  it('has one record per dtype name, with the storage its elements need', () => {
    expect(Object.keys(dtypes).sort()).toEqual([...DtypeName.options].sort());
    for (const name of DtypeName.options) expect(dtypeOf(name).name).toBe(name);
    expect([f32, f16, bf16, i32, i16, i8, u8, i4, u4].map((d) => d.bytesPerElement)).toEqual([4, 2, 2, 4, 2, 1, 1, 0.5, 0.5]);
    expect(f16.storageBytes(3)).toBe(6);
    expect(i4.storageBytes(3)).toBe(2); // an odd count of nibbles rounds up to a whole byte
    expect(i4.allocate(5)).toBeInstanceOf(Uint8Array);
    expect(i4.allocate(5).length).toBe(3);
    expect(f16.allocate(4)).toBeInstanceOf(Uint16Array);
    expect(bf16.allocate(4)).toBeInstanceOf(Uint16Array);
    expect(i16.allocate(4)).toBeInstanceOf(Int16Array);
  });

  it('knows each type limits', () => {
    expect([i32, i16, i8, u8, i4, u4].map((d) => [d.limits.min, d.limits.max])).toEqual([
      [-(2 ** 31), 2 ** 31 - 1],
      [-32768, 32767],
      [-128, 127],
      [0, 255],
      [-8, 7],
      [0, 15],
    ]);
    expect(f32.limits).toMatchObject({ max: 3.4028234663852886e38, epsilon: 2 ** -23, unit: 2 ** -24, minNormal: 2 ** -126, minSubnormal: 2 ** -149 });
    expect(f16.limits).toMatchObject({ max: 65504, min: -65504, epsilon: 2 ** -10, unit: 2 ** -11, minNormal: 2 ** -14, minSubnormal: 2 ** -24, exactIntegers: 2048 });
    expect(bf16.limits).toMatchObject({ max: 3.3895313892515355e38, epsilon: 2 ** -7, minNormal: 2 ** -126, minSubnormal: 2 ** -133 });
    for (const d of [f32, f16, bf16]) {
      expect(d.fromBits(d.toBits(d.limits.max))).toBe(d.limits.max);
      expect(d.fromBits(d.toBits(d.limits.max) + 1)).toBe(Infinity); // the next pattern up is Inf
      expect(d.fromBits(d.toBits(d.limits.minSubnormal))).toBe(d.limits.minSubnormal);
      expect(d.fromBits(d.toBits(1 + d.limits.epsilon))).toBe(1 + d.limits.epsilon);
    }
  });

  it('lists edge values: integer extremes, and ±0, subnormals, extremes, ±Inf and NaN for floats', () => {
    expect(i8.edgeValues).toEqual(expect.arrayContaining([-128, -127, -1, 0, 1, 126, 127]));
    expect(u8.edgeValues).toEqual([0, 1, 254, 255]);
    expect(u4.edgeValues).toEqual([0, 1, 14, 15]);
    for (const d of [f32, f16, bf16]) {
      const edges = d.edgeValues;
      expect(edges.some((v) => Object.is(v, -0))).toBe(true);
      expect(edges).toEqual(expect.arrayContaining([0, d.limits.minSubnormal, -d.limits.max, Infinity, -Infinity, NaN]));
      // each edge value is exactly representable
      for (const v of edges) if (!Number.isNaN(v)) expect(Object.is(d.fromBits(d.toBits(v)), v)).toBe(true);
    }
  });

  it('stores and reads back every value of each integer type, and refuses the rest', () => {
    const ints: IntDtype[] = [i32, i16, i8, u8, i4, u4];
    for (const d of ints) {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: d.limits.min, max: d.limits.max }), { maxLength: 33 }), (values) => {
          const storage = d.allocate(values.length);
          values.forEach((v, i) => d.set(storage, i, v));
          expect(values.map((_, i) => d.get(storage, i))).toEqual(values);
        }),
        { numRuns: 200 },
      );
      expect(() => d.set(d.allocate(1), 0, d.limits.max + 1)).toThrow(new RangeError(`${d.limits.max + 1} is not a ${d.name} (an integer in ${d.limits.min}..${d.limits.max})`));
      expect(() => d.set(d.allocate(1), 0, 0.5)).toThrow(RangeError);
    }
  });

  it('views the storage of elements inside memory it does not own, as a wasm memory is', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    for (const d of Object.values(dtypes)) {
      const view = d.view(memory.buffer, 64, 5);
      expect(view.byteLength, d.name).toBe(d.storageBytes(5));
      d.set(view, 4, 1);
      expect(d.get(d.view(memory.buffer, 64, 5), 4), d.name).toBe(1);
      new Uint8Array(memory.buffer).fill(0);
    }
  });

  it('rounds floats to nearest even on store', () => {
    const storage = f16.allocate(2);
    f16.set(storage, 0, 1 + 2 ** -11);
    f16.set(storage, 1, -0);
    expect([storage[0], storage[1]]).toEqual([0x3c00, 0x8000]);
    expect(Object.is(f16.get(storage, 1), -0)).toBe(true);
    const b = bf16.allocate(1);
    bf16.set(b, 0, Math.PI);
    expect(bf16.get(b, 0)).toBe(3.140625);
  });
});

describe('packed 4-bit storage', () => {
  it('puts element 0 in the low nibble and element 1 in the high nibble', () => {
    expect([...packNibbles([1, 2, 3])]).toEqual([0x21, 0x03]);
    expect([...packNibbles([-1, -8])]).toEqual([0x8f]);
    expect([...unpackNibbles(Uint8Array.of(0x8f), 2, true)]).toEqual([-1, -8]);
    expect([...unpackNibbles(Uint8Array.of(0x8f), 2, false)]).toEqual([15, 8]);
    expect(() => unpackNibbles(Uint8Array.of(0), 3, false)).toThrow(RangeError);
  });

  it('unpacks what it packs, and set leaves the neighbour nibble alone', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -8, max: 7 })), (values) => {
        expect([...unpackNibbles(packNibbles(values), values.length, true)]).toEqual(values);
        const storage = packNibbles(values);
        values.forEach((v, i) => expect(i4.get(storage, i)).toBe(v));
      }),
    );
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 2 }), fc.nat(), fc.integer({ min: 0, max: 15 }), (values, at, value) => {
        const i = at % values.length;
        const storage = packNibbles(values);
        u4.set(storage, i, value);
        const want = [...values];
        want[i] = value;
        expect([...unpackNibbles(storage, values.length, false)]).toEqual(want);
      }),
    );
  });
});
