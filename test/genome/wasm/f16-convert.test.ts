import { describe, expect, it } from 'vitest';
import { f16 } from '../../../genome/dtypes/index.ts';
import { conversionFuncs } from '../../../genome/wasm/f16/convert.ts';
import { Rng } from '../../../lib/rng.ts';
import { assembleWat } from '../../../worker/wasm/assemble.ts';

const wat = `(module (import "env" "memory" (memory 64))
${conversionFuncs.join('\n')}
(export "widen" (func $widen)) (export "narrow" (func $narrow)))`;
const memory = new WebAssembly.Memory({ initial: 64 });
const { instance } = await WebAssembly.instantiate(await assembleWat(wat), { env: { memory } });
const { widen, narrow } = instance.exports as { widen: (src: number, dst: number, n: number) => void; narrow: (src: number, dst: number, n: number) => void };
const isNaN16 = (bits: number) => (bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0;

describe('the WASM SIMD f16 conversions', () => {
  it('widen every f16 bit pattern to its exact f32 value (subnormals, ±0, ±Inf and NaN included)', () => {
    // 65536 + 3: the last three take the one-at-a-time tail.
    const count = 65539;
    const halves = new Uint16Array(memory.buffer, 0, count);
    halves.forEach((_, i) => (halves[i] = i & 0xffff));
    widen(0, 262144, count);
    const floats = new Float32Array(memory.buffer, 262144, count);
    const wrong = [...halves.keys()].filter((i) => {
      const want = f16.fromBits(halves[i]!);
      return !(Object.is(floats[i], want) || (Number.isNaN(want) && Number.isNaN(floats[i])));
    });
    expect(wrong.slice(0, 5).map((i) => [i, floats[i], f16.fromBits(halves[i]!)])).toEqual([]);
    expect(floats[1]).toBe(2 ** -24);
  });

  it('narrow f32 to f16 rounding to nearest even: every f16, every midpoint between neighbours, overflow, subnormals and random values', () => {
    const values: number[] = [];
    for (let bits = 0; bits < 0x7c00; bits++) {
      const v = f16.fromBits(bits);
      values.push(v, -v);
      if (bits < 0x7bff) values.push(Math.fround((v + f16.fromBits(bits + 1)) / 2));
    }
    const rng = new Rng(7);
    for (let i = 0; i < 20000; i++) values.push(Math.fround(rng.normal() * 2 ** rng.int(-30, 20)));
    values.push(65504, 65519.99, 65520, 1e10, -1e10, Infinity, -Infinity, NaN, 2 ** -25, 3 * 2 ** -26, 1e-45);
    const source = new Float32Array(memory.buffer, 0, values.length);
    source.set(values);
    narrow(0, 1_048_576, values.length);
    const halves = new Uint16Array(memory.buffer, 1_048_576, values.length);
    const wrong = values.map((v, i) => [v, halves[i]!, f16.toBits(source[i]!)] as const).filter(([, got, want]) => got !== want && !(isNaN16(got) && isNaN16(want)));
    expect(wrong.slice(0, 5)).toEqual([]);
  });
});
