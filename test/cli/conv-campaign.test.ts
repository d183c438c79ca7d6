import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { f16 } from '../../genome/dtypes/index.ts';
import { opByName, problemFrom } from '../../genome/ops/index.ts';
import { Rng } from '../../lib/rng.ts';
import { kevo } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-cli-conv-'));
const db = join(dir, 'kevo.db');
const SHAPE = 'n1h13w11c7k9r3s3';
const campaign = (op: string, dtype = 'f32') => ['run', op, '--dtype', dtype, '--shape', SHAPE, '--stride', '2', '--pad', 'same', '--budget', '5', '--population', '3', '--threads', '2', '--timing-ms', '40', '--seed', '3', '--no-relaxed-simd', '--db', db, '--json'];

/** The exported kernel run from a plain node script (no loader, no kevo) on `inputs` (each in its typed array: f16 as Uint16Array bits); its output comes back. */
function runExported(out: string, inputs: Float32Array[] | Uint16Array[]): number[] {
  const array = inputs[0]!.constructor.name;
  const script = `import(${JSON.stringify(pathToFileURL(join(out, 'index.js')).href)}).then(async (m) => {
    const k = await m.load();
    const inputs = ${JSON.stringify(inputs.map((t) => [...t]))}.map((v) => ${array}.from(v));
    const output = k.run(...inputs);
    if (!(output instanceof ${array})) throw new Error('the output is no ${array}');
    console.log(JSON.stringify([...output]));
  });`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout);
}

describe('convolution campaigns from the CLI, on an odd shape at stride 2 with same padding', () => {
  it.each(['conv2d', 'conv2d-bwd-weights'])('%s: verifies, beats its baseline, and exports a kernel a plain script runs with the op ABI', async (op) => {
    const run = await kevo(campaign(op), { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ status: 'done' });
    expect(result.best.genome).toMatchObject({ op, backend: 'wasm', family: 'direct' });
    expect(result.best.speedup).toBeGreaterThan(1);

    if (op === 'conv2d') {
      const best = await kevo(['best', op, '--shape', SHAPE, '--stride', '2', '--pad', 'same', '--db', db, '--json'], { cwd: dir });
      expect(best.code, best.stderr).toBe(0);
      expect(JSON.parse(best.stdout)[0].kernelId).toBe(result.best.kernelId);
      // Another stride is another problem, with no kernels yet.
      const other = await kevo(['best', op, '--shape', SHAPE, '--stride', '1', '--db', db], { cwd: dir });
      expect(other.stdout).toMatch(/no verified kernel/);
    }

    const out = join(dir, `export-${op}`);
    const exported = await kevo(['export', result.best.kernelId, '--out', out, '--db', db], { cwd: dir });
    expect(exported.code, exported.stderr).toBe(0);
    const problem = problemFrom(op, SHAPE, { stride: 2, pad: 'same' });
    const rng = new Rng(9);
    const inputs = opByName(op)
      .inputs(problem)
      .map((t) => Float32Array.from({ length: t.dims.reduce((a, b) => a * b) }, () => rng.int(-3, 3)));
    // Small integers: every order of summation is exact, so the kernel must give the reference itself.
    expect(runExported(out, inputs)).toEqual([...opByName(op).reference(problem, inputs)]);
  });

  it.each(['conv2d', 'conv2d-bwd-data'])('%s --dtype f16: the f16 family verifies and beats its baseline; conv2d exports a kernel taking and giving Uint16Array bits', async (op) => {
    const run = await kevo(campaign(op, 'f16'), { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ status: 'done' });
    expect(result.best.genome).toMatchObject({ op, backend: 'wasm', family: 'f16' });
    expect(result.best.speedup).toBeGreaterThan(1);
    if (op !== 'conv2d') return;

    const out = join(dir, 'export-f16');
    const exported = await kevo(['export', result.best.kernelId, '--out', out, '--db', db], { cwd: dir });
    expect(exported.code, exported.stderr).toBe(0);
    const problem = problemFrom(op, SHAPE, { stride: 2, pad: 'same', dtype: 'f16' });
    const rng = new Rng(9);
    const inputs = opByName(op)
      .inputs(problem)
      .map((t) => Uint16Array.from({ length: t.dims.reduce((a, b) => a * b) }, () => f16.toBits(rng.int(-3, 3))));
    // Small integers: every sum (at most 63 * 9) is exact in f32 and in f16, so the bits must be the reference's.
    expect(runExported(out, inputs)).toEqual([...opByName(op).reference(problem, inputs)].map((v) => f16.toBits(v)));
    // A campaign and an export: ~20 s on an idle two-core machine, several times that beside other suites.
  }, 300_000);
});
