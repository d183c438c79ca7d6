import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { matmulWat } from '../../genome/wasm/codegen.ts';
import { defaultWasmGenome } from '../../genome/wasm/baseline.ts';
import type { MatmulProblem } from '../../genome/ops/matmul-problem.ts';
import { usesRelaxedSimd, wasmExportFiles, wasmLoaderFiles } from '../../export/wasm.ts';
import { assembleWat } from '../../worker/wasm/assemble.ts';
import { wasmLaunch } from '../../genome/families/abi.ts';
import { WasmLaunch } from '../../genome/families/launch.ts';
import { familyFor } from '../../genome/families/registry.ts';
import { parseProblem } from '../../genome/ops/index.ts';
import { MatmulWasmGenome } from '../../genome/wasm/genome.ts';
import { matmul } from '../../genome/ops/matmul.ts';
import { runExportedWasm } from '../helpers/exported-wasm.ts';

const problem: MatmulProblem = { op: 'matmul', shape: { m: 9, n: 10, k: 7 }, dtype: 'f32' };

function writeAll(files: Record<string, string | Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kevo-export-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

async function exportTo(fma: boolean, p: MatmulProblem = problem): Promise<string> {
  const wat = matmulWat({ ...defaultWasmGenome(p), fma }, p);
  return writeAll(await wasmExportFiles({ kernelId: 'k1', problem: p, wat, launch: wasmLaunch(p), meta: {} }));
}

/**
 * Runs `body` (an async function body with `m`, the exported module, in scope)
 * in a fresh node with no loader, as a user's script; its console.log lines come back.
 */
function inNode(dir: string, body: string, nodeFlags: string[] = []): { status: number | null; out: string } {
  const script = `import(${JSON.stringify(pathToFileURL(join(dir, 'index.js')).href)}).then(async (m) => {
    ${body}
  }).catch((e) => { console.log('error', e.name, e.message); process.exit(3); });`;
  const child = spawnSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', script], { encoding: 'utf8' });
  return { status: child.status, out: child.stdout.trim() + child.stderr.trim() };
}

const runOnes = `const k = await m.load();
  const c = k.run(new Float32Array(${problem.shape.m * problem.shape.k}).fill(1), new Float32Array(${problem.shape.k * problem.shape.n}).fill(2));
  console.log('ok', c[0], c.length);`;

describe('exported WASM kernels', () => {
  it('names the features a kernel needs', async () => {
    expect(usesRelaxedSimd(matmulWat({ ...defaultWasmGenome(problem), fma: true }, problem))).toBe(true);
    expect(usesRelaxedSimd(matmulWat({ ...defaultWasmGenome(problem), fma: false }, problem))).toBe(false);
  });

  it('meta.json and the module list every input and the output in ABI order, with name, dims and dtype', async () => {
    const dir = await exportTo(false);
    const abi = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')).abi;
    expect(abi.inputs.map(({ name, dims, dtype }: Record<string, unknown>) => ({ name, dims, dtype }))).toEqual([
      { name: 'A', dims: [9, 7], dtype: 'f32' },
      { name: 'B', dims: [7, 10], dtype: 'f32' },
    ]);
    expect(abi.output).toMatchObject({ name: 'C', dims: [9, 10], dtype: 'f32', length: 90 });
    const { out } = inNode(dir, 'console.log(JSON.stringify(m.tensors));');
    expect(JSON.parse(out)).toEqual({ inputs: [{ name: 'A', dims: [9, 7], dtype: 'f32' }, { name: 'B', dims: [7, 10], dtype: 'f32' }], output: { name: 'C', dims: [9, 10], dtype: 'f32' } });
    expect(readFileSync(join(dir, 'index.d.ts'), 'utf8')).toContain('export type Inputs = readonly [A: Float32Array, B: Float32Array];');
  });

  it('a plain SIMD kernel loads and computes in a fresh runtime', async () => {
    const { status, out } = inNode(await exportTo(false), runOnes);
    expect(status).toBe(0);
    expect(out).toBe(`ok ${2 * problem.shape.k} ${problem.shape.m * problem.shape.n}`);
  });

  it('an FMA kernel refuses a runtime without relaxed SIMD, saying what is missing, and runs where it is on', async () => {
    const dir = await exportTo(true);
    const refused = inNode(dir, runOnes);
    expect(refused.status).toBe(3);
    expect(refused.out).toMatch(/needs WebAssembly relaxed SIMD .*--experimental-wasm-relaxed-simd.*which this runtime lacks/);
    const { status, out } = inNode(dir, runOnes, ['--experimental-wasm-relaxed-simd']);
    expect(status).toBe(0);
    expect(out).toMatch(/^ok 14 90$/);
  });

  it('writes into out, reads resident inputs from its own views, and allocates nothing per call', async () => {
    // 96x96: a 36 KiB output, so a fresh array per call would show in arrayBuffers within 200 calls.
    const p: MatmulProblem = { op: 'matmul', shape: { m: 96, n: 96, k: 96 }, dtype: 'f32' };
    const { status, out } = inNode(
      await exportTo(false, p),
      `const k = await m.load();
      const [a, b] = k.inputs;
      for (let i = 0; i < a.length; i++) a[i] = (i % 7) - 3;
      for (let i = 0; i < b.length; i++) b[i] = (i % 5) - 2;
      const own = k.run(Float32Array.from(a), Float32Array.from(b));
      const want = Float32Array.from(own);
      const out = new Float32Array(want.length);
      globalThis.gc();
      const before = process.memoryUsage().arrayBuffers;
      let same = true;
      for (let i = 0; i < 100; i++) {
        same &&= k.run(a, b) === k.output;
        same &&= k.run(a, b, out) === out;
      }
      const grown = process.memoryUsage().arrayBuffers - before;
      const equal = out.every((v, i) => v === want[i]) && k.output.every((v, i) => v === want[i]);
      console.log(JSON.stringify({ same, equal, grown, own: own === k.output, checksum: want[0] + want[95 * 96 + 95] }));`,
      ['--expose-gc'],
    );
    expect(status).toBe(0);
    const result = JSON.parse(out);
    expect(result).toMatchObject({ same: true, equal: true, own: true });
    expect(result.grown).toBeLessThan(4 * 96 * 96);
    // Row 0 of A is (i % 7) - 3 over k, column 0 of B is (j*96 % 5) - 2: a nonzero, exact sum.
    let c00 = 0;
    let cLast = 0;
    for (let j = 0; j < 96; j++) {
      c00 += ((j % 7) - 3) * (((j * 96) % 5) - 2);
      cLast += (((95 * 96 + j) % 7) - 3) * (((j * 96 + 95) % 5) - 2);
    }
    expect(result.checksum).toBe(c00 + cLast);
  });

  it('names the argument that is not a Float32Array of the right length', async () => {
    const dir = await exportTo(false);
    const call = (args: string) => inNode(dir, `const k = await m.load(); k.run(${args}); console.log('accepted');`).out;
    const [a, b] = ['new Float32Array(63)', 'new Float32Array(70)'];
    expect(call(`${a}, new Float32Array(69)`)).toBe('error RangeError run(): input B must have 70 elements, got 69');
    expect(call(`[1, 2, 3], ${b}`)).toBe('error TypeError run(): input A must be a Float32Array, got Array');
    expect(call(a)).toBe('error TypeError run(): input B must be a Float32Array, got Undefined');
    expect(call(`${a}, ${b}, new Float64Array(90)`)).toBe('error TypeError run(): out must be a Float32Array, got Float64Array');
    expect(call(`${a}, ${b}, new Float32Array(91)`)).toBe('error RangeError run(): out must have 90 elements, got 91');
    expect(call(`${a}, ${b}, new Float32Array(90)`)).toBe('accepted');
  });

  it('the loader is generic over the inputs: a three-input kernel takes them in ABI order', async () => {
    // out[i] = x[i] * y[i] + z[i] over 8 floats, placed like the ABI places tensors.
    const wat = `(module (import "env" "memory" (memory 1))
      (func (export "matmul") (param $x i32) (param $y i32) (param $z i32) (param $o i32) (param $ws i32) (local $i i32)
        (loop $l
          (f32.store (i32.add (local.get $o) (local.get $i))
            (f32.add (f32.mul (f32.load (i32.add (local.get $x) (local.get $i))) (f32.load (i32.add (local.get $y) (local.get $i))))
                     (f32.load (i32.add (local.get $z) (local.get $i)))))
          (local.set $i (i32.add (local.get $i) (i32.const 4)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 32))))))`;
    const tensor = (name: string, offset: number) => ({ name, dims: [8], dtype: 'f32' as const, offset, length: 8 });
    const files = await wasmLoaderFiles({
      problem,
      binary: await assembleWat(wat),
      features: ['simd'],
      entry: 'matmul',
      inputs: [tensor('x', 64), tensor('y', 128), tensor('bias', 192)],
      outputs: [tensor('out', 256)],
      workspace: 320,
      pages: 1,
    });
    expect(files['index.d.ts']).toContain('export type Inputs = readonly [x: Float32Array, y: Float32Array, bias: Float32Array];');
    const { status, out } = inNode(
      writeAll(files),
      `const k = await m.load();
      const r = k.run(Float32Array.of(1,2,3,4,5,6,7,8), new Float32Array(8).fill(2), new Float32Array(8).fill(0.5), new Float32Array(8));
      console.log(Array.from(r).join(' '), k.inputs.length);
      try { k.run(new Float32Array(8), new Float32Array(8), new Float32Array(7)); } catch (e) { console.log(e.message); }`,
    );
    expect(status).toBe(0);
    expect(out.split('\n')).toEqual(['2.5 4.5 6.5 8.5 10.5 12.5 14.5 16.5 3', 'run(): input bias must have 8 elements, got 7']);
  });
});

describe('an exported fused-epilogue kernel', () => {
  it('lists every input and the output in ABI order in meta.json, and run() takes them in that order in plain Node', async () => {
    const fused = parseProblem({ op: 'matmul', shape: { m: 9, n: 10, k: 7 }, epilogue: ['bias', 'gelu', 'residual'] });
    const family = familyFor('matmul', 'wasm');
    // B packed per call: run() takes every input (a seed packs B at load, and would take B through setWeights())
    const code = family.code({ ...family.space(fused, cpu).seeds!()[0]!, epilogue: 'fused', packB: true }, fused);
    const dir = mkdtempSync(join(tmpdir(), 'kevo-export-'));
    const files = await wasmExportFiles({ kernelId: 'k2', problem: fused, wat: code.text, launch: WasmLaunch.parse(code.launch), meta: {} });
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    const meta = JSON.parse(files['meta.json'] as string);
    expect(meta.abi.inputs.map((t: { name: string; dims: number[]; dtype: string }) => [t.name, t.dims, t.dtype])).toEqual([
      ['A', [9, 7], 'f32'],
      ['B', [7, 10], 'f32'],
      ['bias', [10], 'f32'],
      ['R', [9, 10], 'f32'],
    ]);
    expect(meta.abi.output).toMatchObject({ name: 'C', dims: [9, 10], dtype: 'f32' });
    // A = 1, B = 0.5: every dot product is 3.5; + bias 0.5 = 4; gelu(4) = 3.99987...; + R 1.
    const script = `import(${JSON.stringify(pathToFileURL(join(dir, 'index.js')).href)}).then(async (m) => {
      const k = await m.load();
      const c = k.run(new Float32Array(63).fill(1), new Float32Array(70).fill(0.5), new Float32Array(10).fill(0.5), new Float32Array(90).fill(1));
      console.log(c.length, c[0].toFixed(5), c[89].toFixed(5));
    }).catch((e) => { console.log('error', e.message); process.exit(3); });`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    const gelu4 = 0.5 * 4 * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (4 + 0.044715 * 64)));
    expect(child.stdout.trim()).toBe(`90 ${(gelu4 + 1).toFixed(5)} ${(gelu4 + 1).toFixed(5)}`);
  });
});

const cpu = { id: 'd', label: 'test', facts: { backend: 'wasm' as const, cpu: 'x', cores: 1, arch: 'x64', node: '20', v8: '11', simd: true, relaxedSimd: false } };

describe('an exported kernel that packs its weights at load time (int8 u8i8)', () => {
  it('keeps the weights resident: setWeights() once, run(activations) many times, setWeights() again when they change; in plain Node', async () => {
    const p = parseProblem({ op: 'matmul', shape: { m: 5, n: 6, k: 7 }, dtype: 'u8i8' });
    const family = familyFor('matmul', 'wasm', 'u8i8');
    const code = family.code(family.space(p, cpu).seeds!()[0]!, p);
    const files = await wasmExportFiles({ kernelId: 'k3', problem: p, wat: code.text, launch: WasmLaunch.parse(code.launch), meta: {} });
    const meta = JSON.parse(files['meta.json'] as string);
    expect(meta.abi.prepare).toMatchObject({ entry: 'prepare', weights: ['B', 'b_zero_point'] });
    expect(files['index.d.ts']).toContain('export type Weights = readonly [B: Int8Array, b_zero_point: Int8Array];');
    expect(files['index.d.ts']).toContain('export type Activations = readonly [A: Uint8Array, a_zero_point: Uint8Array];');
    // C[i, j] = sum_k (A - za)(B - zb), computed here in the script for each call.
    const { status, out } = inNode(
      writeAll(files),
      `const k = await m.load();
      const A = Uint8Array.from({ length: 35 }, (_, i) => (i * 37) % 256), za = Uint8Array.of(3);
      const B1 = Int8Array.from({ length: 42 }, (_, i) => ((i * 53) % 256) - 128), B2 = B1.map((x) => -x), zb = Int8Array.of(-2);
      const want = (B) => Int32Array.from({ length: 30 }, (_, e) => {
        let s = 0;
        for (let p = 0; p < 7; p++) s += (A[Math.floor(e / 6) * 7 + p] - za[0]) * (B[p * 6 + (e % 6)] - zb[0]);
        return s;
      });
      const same = (x, y) => x.every((v, i) => v === y[i]);
      try { k.run(A, za); } catch (e) { console.log(e.message); }
      k.setWeights(B1, zb);
      let ok = true;
      for (let i = 0; i < 5; i++) ok &&= same(k.run(A, za), want(B1));
      k.setWeights(B2, zb);
      ok &&= same(k.run(A, za), want(B2));
      console.log(ok, JSON.stringify(m.tensors.weights));`,
    );
    expect(status).toBe(0);
    expect(out.split('\n')).toEqual(['run(): call setWeights(B, b_zero_point) first: the kernel packs its weights once, at load time', 'true ["B","b_zero_point"]']);
  });
});

describe('an exported f32 kernel that packs B at load time', () => {
  it('takes B through setWeights() and A through run(), and computes what its per-call twin computes from run(A, B); in plain Node', async () => {
    const p = parseProblem({ op: 'matmul', shape: { m: 11, n: 13, k: 37 }, dtype: 'f32', weights: 'fixed' }) as MatmulProblem;
    const family = familyFor('matmul', 'wasm', 'f32');
    const atLoad = MatmulWasmGenome.parse(family.space(p, cpu).seeds!()[0]);
    expect(atLoad.packB).toBe('load');
    const a = Float32Array.from({ length: 11 * 37 }, (_, i) => ((i * 7) % 13) - 6);
    const b = Float32Array.from({ length: 37 * 13 }, (_, i) => ((i * 5) % 11) / 4 - 1);
    const outputs: ReturnType<typeof runExportedWasm>[] = [];
    for (const g of [atLoad, { ...atLoad, packB: true }]) {
      const code = family.code(g, p);
      const files = await wasmExportFiles({ kernelId: 'k4', problem: p, wat: code.text, launch: WasmLaunch.parse(code.launch), meta: {} });
      expect(String(files['index.d.ts']).includes('setWeights')).toBe(g.packB === 'load');
      outputs.push(runExportedWasm(writeAll(files), [a, b]));
    }
    // small integers and quarters: every product and sum is exact in f32
    expect(outputs[0]).toEqual({ type: 'Float32Array', values: [...matmul.reference(p, [a, b])] });
    expect(outputs[1]).toEqual(outputs[0]);
  });
});
