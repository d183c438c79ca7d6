import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { matmulWat } from '../../genome/wasm/codegen.ts';
import { defaultWasmGenome } from '../../genome/wasm/baseline.ts';
import type { MatmulProblem } from '../../genome/ops/matmul-problem.ts';
import { usesRelaxedSimd, wasmExportFiles } from '../../export/wasm.ts';
import { wasmLaunch } from '../../genome/families/abi.ts';
import { WasmLaunch } from '../../genome/families/launch.ts';
import { familyFor } from '../../genome/families/registry.ts';
import { parseProblem } from '../../genome/ops/index.ts';

const problem: MatmulProblem = { op: 'matmul', shape: { m: 9, n: 10, k: 7 }, dtype: 'f32' };

async function exportTo(fma: boolean): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'kevo-export-'));
  const wat = matmulWat({ ...defaultWasmGenome(problem), fma }, problem);
  const files = await wasmExportFiles({ kernelId: 'k1', problem, wat, launch: wasmLaunch(problem), meta: {} });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

/** Loads the exported module in a fresh node (no flags unless given) and reports what load() said. */
function loadIn(dir: string, nodeFlags: string[] = []): { status: number | null; out: string } {
  const script = `import(${JSON.stringify(pathToFileURL(join(dir, 'index.js')).href)}).then(async (m) => {
    const k = await m.load();
    const c = k.run(new Float32Array(${problem.shape.m * problem.shape.k}).fill(1), new Float32Array(${problem.shape.k * problem.shape.n}).fill(2));
    console.log('ok', c[0], c.length);
  }).catch((e) => { console.log('error', e.message); process.exit(3); });`;
  const child = spawnSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', script], { encoding: 'utf8' });
  return { status: child.status, out: child.stdout.trim() };
}

describe('exported WASM kernels', () => {
  it('names the features a kernel needs', async () => {
    expect(usesRelaxedSimd(matmulWat({ ...defaultWasmGenome(problem), fma: true }, problem))).toBe(true);
    expect(usesRelaxedSimd(matmulWat({ ...defaultWasmGenome(problem), fma: false }, problem))).toBe(false);
  });

  it('a plain SIMD kernel loads and computes in a fresh runtime', async () => {
    const { status, out } = loadIn(await exportTo(false));
    expect(status).toBe(0);
    expect(out).toBe(`ok ${2 * problem.shape.k} ${problem.shape.m * problem.shape.n}`);
  });

  it('an FMA kernel refuses a runtime without relaxed SIMD, saying what is missing, and runs where it is on', async () => {
    const dir = await exportTo(true);
    const refused = loadIn(dir);
    expect(refused.status).toBe(3);
    expect(refused.out).toMatch(/needs WebAssembly relaxed SIMD .*--experimental-wasm-relaxed-simd.*which this runtime lacks/);
    const { status, out } = loadIn(dir, ['--experimental-wasm-relaxed-simd']);
    expect(status).toBe(0);
    expect(out).toMatch(/^ok 14 90$/);
  });
});

describe('an exported fused-epilogue kernel', () => {
  it('lists every input and the output in ABI order in meta.json, and run() takes them in that order in plain Node', async () => {
    const fused = parseProblem({ op: 'matmul', shape: { m: 9, n: 10, k: 7 }, epilogue: ['bias', 'gelu', 'residual'] });
    const family = familyFor('matmul', 'wasm');
    const code = family.code({ ...family.space(fused, cpu).seeds!()[0]!, epilogue: 'fused' }, fused);
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
