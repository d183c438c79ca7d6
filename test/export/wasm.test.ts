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
