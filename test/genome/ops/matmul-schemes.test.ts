import { describe, expect, it } from 'vitest';
import { familyOf } from '../../../genome/families/registry.ts';
import { opFor, parseProblem, problemKey } from '../../../genome/ops/index.ts';

const matmul = (m: number, n: number, k: number, fields: Record<string, unknown> = {}) => parseProblem({ op: 'matmul', shape: { m, n, k }, ...fields });

describe('matmul dtype schemes', () => {
  it('f32 stays the default: old problems keep their keys', () => {
    expect(problemKey(matmul(4, 5, 6))).toBe('matmul:4x5x6:f32');
    expect(problemKey(matmul(4, 5, 6, { epilogue: ['bias', 'relu'] }))).toBe('matmul:4x5x6:f32:bias+relu');
    expect(problemKey(matmul(4, 5, 6, { dtype: 'i8' }))).toBe('matmul:4x5x6:i8');
  });

  it('gives each scheme its tensors in ABI order with their dtypes', () => {
    const p = matmul(2, 3, 4, { dtype: 'u8i8' });
    const op = opFor(p);
    expect([...op.inputs(p), op.output(p)].map((t) => `${t.name}:${t.dtype}[${t.dims.join(',')}]`)).toEqual([
      'A:u8[2,4]',
      'a_zero_point:u8[1]',
      'B:i8[4,3]',
      'b_zero_point:i8[1]',
      'C:i32[2,3]',
    ]);
    const i8 = matmul(2, 3, 4, { dtype: 'i8' });
    expect(opFor(i8).inputs(i8).map((t) => t.dtype)).toEqual(['i8', 'i8']);
    expect(opFor(i8).bytes(i8)).toBe(2 * 4 + 4 * 3 + 4 * 2 * 3);
  });

  it('i16 with block exponents: two i8 exponent inputs, its own key, each block shifted onto the smallest exponent mod 2^32', () => {
    const p = matmul(1, 1, 3, { dtype: 'i16', exponentBlock: 32 });
    expect(problemKey(p)).toBe('matmul:1x1x3:i16:e32');
    expect(opFor(p).inputs(p).map((t) => `${t.name}:${t.dtype}[${t.dims.join(',')}]`)).toEqual(['A:i16[1,3]', 'a_exponents:i8[1]', 'B:i16[3,1]', 'b_exponents:i8[1]']);
    // Blocks of 32 over K = 70: three blocks, k 0, 32 and 64 one product each of 3 * 5 = 15.
    const q = matmul(1, 1, 70, { dtype: 'i16', exponentBlock: 32 });
    const a = new Int16Array(70);
    const b = new Int16Array(70);
    for (const k of [0, 32, 64]) [a[k], b[k]] = [3, 5];
    const reference = (ea: number[], eb: number[]) => opFor(q).reference(q, [a, Int8Array.from(ea), b, Int8Array.from(eb)])[0];
    // e = [1, 3, 2]: E = 1, shifts 0, 2, 1.
    expect(reference([0, 1, 2], [1, 2, 0])).toBe(15 + 60 + 30);
    // e = [-128 - 128, 127 + 127, 0]: shifts 0, 510 (gone mod 2^32) and 256 (gone).
    expect(reference([-128, 127, 0], [-128, 127, 0])).toBe(15);
    // A shift of 31 puts 15 * 2^31 = 2^31 (mod 2^32): -2^31 as i32, plus the unshifted 15.
    expect(reference([0, 31, 40], [0, 0, 0])).toBe(15 - 2 ** 31);
    expect(() => matmul(1, 1, 3, { dtype: 'i8', exponentBlock: 32 })).toThrow(/exponentBlock.*only i16 takes an exponent block/s);
  });

  it('i8: exact products of the extremes', () => {
    const p = matmul(1, 2, 3, { dtype: 'i8' });
    const a = Int8Array.from([-128, -128, 127]);
    const b = Int8Array.from([-128, 1, -128, 2, 127, -128]);
    // C[0,0] = 16384 + 16384 + 16129, C[0,1] = -128 - 256 - 16256
    expect([...opFor(p).reference(p, [a, b])]).toEqual([48897, -16640]);
  });

  it('u8i8: subtracts the zero points, and the i32 sum wraps mod 2^32 as the contract says', () => {
    const small = matmul(1, 1, 2, { dtype: 'u8i8' });
    const got = opFor(small).reference(small, [Uint8Array.from([10, 255]), Uint8Array.from([5]), Int8Array.from([-128, 7]), Int8Array.from([-3])]);
    expect([...got]).toEqual([5 * -125 + 250 * 10]);
    const k = 65536;
    const big = matmul(1, 1, k, { dtype: 'u8i8' });
    const wrapped = opFor(big).reference(big, [new Uint8Array(k).fill(255), Uint8Array.from([0]), new Int8Array(k).fill(-128), Int8Array.from([127])]);
    const exact = 255 * -255 * k;
    expect(exact).toBeLessThan(-(2 ** 31));
    expect(wrapped[0]).toBe(exact | 0);
    expect(opFor(big).dtypeContract?.(big)).toMatch(/wraps mod 2\^32/);
  });

  it('refuses a group where the scheme has none, an epilogue on integers and a dtype without a scheme, at their zod paths', () => {
    expect(() => matmul(4, 4, 4, { dtype: 'i8', group: 32 })).toThrow(/group: only w4 and w4a8 take a group, not i8/);
    expect(() => matmul(4, 4, 4, { group: 64 })).toThrow(/group: only w4 and w4a8 take a group, not f32/);
    expect(() => matmul(4, 4, 4, { dtype: 'u8i8', epilogue: ['bias'] })).toThrow(/epilogue: an epilogue needs dtype f32, not u8i8/);
    expect(() => matmul(4, 4, 4, { dtype: 'i4' })).toThrow(/dtype: Invalid option/);
  });

  it('a tiled (f32) genome computes no integer problem', () => {
    const genome = { op: 'matmul', backend: 'wasm' as const, family: 'tiled' };
    expect(familyOf(matmul(4, 4, 4), genome).name).toBe('tiled');
    expect(() => familyOf(matmul(4, 4, 4, { dtype: 'i8' }), genome)).toThrow(/a tiled genome computes f32, not a i8 matmul problem/);
  });
});
