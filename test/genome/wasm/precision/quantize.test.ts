import { describe, expect, it } from 'vitest';
import { f16 } from '../../../../genome/dtypes/index.ts';
import { matmulPrecisionWasm } from '../../../../genome/families/matmul-precision-wasm.ts';
import type { WasmLaunch } from '../../../../genome/families/launch.ts';
import { parseProblem } from '../../../../genome/ops/index.ts';
import { MatmulPrecisionWasmGenome } from '../../../../genome/wasm/precision/genome.ts';
import { quantizeColumnsI8Func, quantizeI8Func, quantizeRowsI8Func, rescaleI8Func } from '../../../../genome/wasm/precision/quantize.ts';
import { Rng } from '../../../../lib/rng.ts';
import { assembleWat } from '../../../../worker/wasm/assemble.ts';
import { wasmKernel } from '../../../../worker/wasm/kernel.ts';

const sameNumber = (x: number, y: number) => x === y || (Number.isNaN(x) && Number.isNaN(y));

/** Rows of A that stress the scheme: zeros, -0, denormals, huge values, a NaN, an Inf, mixed magnitudes. */
function edgeRows(k: number, rng: Rng): number[][] {
  const row = (value: (e: number) => number) => Array.from({ length: k }, (_, e) => value(e));
  return [
    row(() => 0),
    row((e) => (e % 2 ? -0 : 0)),
    row((e) => (e % 3 === 0 ? 1e-45 : -3e-44)),
    row(() => rng.normal() * 1e-40),
    row((e) => (e === 0 ? 3.4e38 : rng.normal() * 1e30)),
    row((e) => (e === k - 1 ? -3.4e38 : -0)),
    row((e) => (e === 1 ? NaN : rng.normal())),
    row((e) => (e === 2 ? -Infinity : rng.normal())),
    row(() => rng.normal() * 2 ** rng.int(-20, 20)),
    row((e) => (e % 2 ? 127.5 : -0.5) * 2 ** -130),
  ];
}

describe('the SIMD quantizers against the scheme\'s scalar definition', () => {
  /** The scalar definition and a SIMD form on the same f32 matrix [lines, k] (rows) or its transpose (columns): bytes and scales. */
  async function bothWays(lines: number, k: number, values: readonly number[], by: 'rows' | 'columns') {
    const [simd, strides] = by === 'rows' ? [quantizeRowsI8Func(lines, k), `(i32.const ${k}) (i32.const 1)`] : [quantizeColumnsI8Func(lines, k), `(i32.const 1) (i32.const ${lines})`];
    const wat = `(module (import "env" "memory" (memory 1))
${quantizeI8Func}
${simd}
(func (export "scalar") (param $src i32) (param $q i32) (param $scales i32)
  (call $quantize_i8 (local.get $src) (local.get $q) (local.get $scales) (i32.const ${lines}) (i32.const ${k}) ${strides}))
(export "simd" (func ${by === 'rows' ? '$quantize_rows_i8' : '$quantize_cols_i8'})))`;
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { instance } = await WebAssembly.instantiate(await assembleWat(wat), { env: { memory } });
    new Float32Array(memory.buffer, 0, lines * k).set(values);
    const out = (name: 'scalar' | 'simd', at: number) => {
      (instance.exports[name] as (src: number, q: number, scales: number) => void)(0, at, at + 8192);
      return { q: [...new Int8Array(memory.buffer, at, lines * k)], scales: [...new Float32Array(memory.buffer, at + 8192, lines)] };
    };
    return { want: out('scalar', 16384), got: out('simd', 32768) };
  }

  it('quantize every row of A, and every column of B, to the same bytes and scales (lengths with and without SIMD tails)', async () => {
    for (const k of [3, 16, 37, 64]) {
      const rows = edgeRows(k, new Rng(k));
      const m = rows.length;
      const { want, got } = await bothWays(m, k, rows.flat(), 'rows');
      expect(got.q).toEqual(want.q);
      expect(got.scales.every((s, i) => sameNumber(s, want.scales[i]!)), `${got.scales} vs ${want.scales}`).toBe(true);
      // Spot-check the definition itself: a zero row has scale 0 and zero levels; the NaN row's scale is NaN.
      expect(want.scales[0]).toBe(0);
      expect(want.q.slice(0, k).every((v) => v === 0)).toBe(true);
      expect(want.scales[6]).toBeNaN();
      expect(Math.max(...want.q.map(Math.abs))).toBe(127);
      // The same lines as B's columns: B [k, m] is their transpose, and the columns quantizer walks it row by row.
      const transposed = Array.from({ length: k * m }, (_, i) => rows[i % m]![Math.floor(i / m)]!);
      const columns = await bothWays(m, k, transposed, 'columns');
      expect(columns.got.q).toEqual(columns.want.q);
      expect(columns.got.scales.every((s, i) => sameNumber(s, columns.want.scales[i]!))).toBe(true);
      expect(columns.want.scales.every((s, i) => sameNumber(s, want.scales[i]!))).toBe(true);
    }
  });

  it('rescale C in SIMD to the scalar formula f32(acc) x (rowScale x colScale), bit for bit', async () => {
    const [m, n] = [3, 11];
    const rng = new Rng(2);
    const wat = `(module (import "env" "memory" (memory 1))
${rescaleI8Func(m, n)}
(export "rescale" (func $rescale_i8)))`;
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { instance } = await WebAssembly.instantiate(await assembleWat(wat), { env: { memory } });
    const acc = new Int32Array(memory.buffer, 0, m * n);
    acc.set(Array.from(acc, () => rng.int(-(2 ** 31), 2 ** 31 - 1)));
    acc[0] = 2 ** 24 + 1;
    const rowScales = new Float32Array(memory.buffer, 1024, m);
    rowScales.set([1e30, 3e-39, NaN]);
    const colScales = new Float32Array(memory.buffer, 2048, n);
    colScales.set(Array.from(colScales, () => rng.normal() * 1e-20));
    colScales[5] = -0;
    (instance.exports.rescale as (...offsets: number[]) => void)(0, 1024, 2048, 4096);
    const c = new Float32Array(memory.buffer, 4096, m * n);
    const want = [...acc].map((v, i) => Math.fround(Math.fround(v) * Math.fround(rowScales[Math.floor(i / n)]! * colScales[i % n]!)));
    expect([...c].map((v, i) => [i, v, want[i]]).filter(([, v, w]) => !sameNumber(v!, w!))).toEqual([]);
  });
});

describe('the f16 precision\'s inner-loop widening', () => {
  /** C = 1 x B for B one row of halves (K = 1): what the kernel multiplies is exactly the widened half. */
  async function widened(values: readonly number[]) {
    const problem = parseProblem({ op: 'matmul', shape: { m: 1, n: values.length, k: 1 }, accuracy: 0.01 });
    const seeds = matmulPrecisionWasm.space(problem, { id: 't', label: 't', facts: { backend: 'wasm', relaxedSimd: false } }).seeds!();
    const code = matmulPrecisionWasm.code(seeds.map((g) => MatmulPrecisionWasmGenome.parse(g)).find((g) => g.precision === 'f16')!, problem);
    const kernel = await wasmKernel(problem, code.text, code.launch as WasmLaunch);
    await kernel.write([new Float32Array([1]), new Float32Array(values)]);
    await kernel.run();
    const c = (await kernel.readOutputs())[0] as Float32Array;
    await kernel.dispose();
    return [...c];
  }
  it('gives every finite half its exact value (subnormals and -0 included), and Inf and NaN where B holds one', async () => {
    const halves = Array.from({ length: 0x10000 }, (_, bits) => bits);
    const finite = halves.filter((bits) => (bits & 0x7c00) !== 0x7c00).map((bits) => f16.fromBits(bits));
    const got = await widened(finite);
    // -0 x 1 added to the accumulator's +0 is +0, as the f64 reference's sum is: zeros compare by value.
    expect(got.findIndex((v, i) => v !== finite[i])).toBe(-1);
    const all = halves.map((bits) => f16.fromBits(bits));
    const special = await widened(all);
    expect(special.findIndex((v, i) => !sameNumber(v, all[i]!))).toBe(-1);
  });
});
