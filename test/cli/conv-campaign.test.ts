import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { f16 } from '../../genome/dtypes/index.ts';
import { opByName, problemFrom } from '../../genome/ops/index.ts';
import { Rng } from '../../lib/rng.ts';
import { kevo } from '../helpers/cli.ts';
import { runExportedWasm } from '../helpers/exported-wasm.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-cli-conv-'));
const db = join(dir, 'kevo.db');
const SHAPE = 'n1h13w11c7k9r3s3';
const campaign = (op: string, dtype = 'f32') => ['run', op, '--dtype', dtype, '--shape', SHAPE, '--stride', '2', '--pad', 'same', '--budget', '5', '--population', '3', '--threads', '2', '--timing-ms', '40', '--seed', '3', '--no-relaxed-simd', '--promote', '0', '--db', db, '--json'];

describe('convolution campaigns from the CLI, on an odd shape at stride 2 with same padding', () => {
  it.each(['conv2d', 'conv2d-bwd-weights'])('%s: verifies, beats its baseline, and exports a kernel (conv2d: its best im2col + GEMM one) a plain script runs with the op ABI', async (op) => {
    const run = await kevo(campaign(op), { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ status: 'done' });
    expect(result.best.genome).toMatchObject({ op, backend: 'wasm', family: 'direct' });
    expect(result.best.speedup).toBeGreaterThan(1);

    let exportedId: string = result.best.kernelId;
    if (op === 'conv2d') {
      const best = await kevo(['best', op, '--shape', SHAPE, '--stride', '2', '--pad', 'same', '--db', db, '--json'], { cwd: dir });
      expect(best.code, best.stderr).toBe(0);
      const found = JSON.parse(best.stdout) as { kernelId: string; genome: { algorithm?: string } }[];
      expect(found[0]!.kernelId).toBe(result.best.kernelId);
      // The budget is the seeds, which alternate direct, im2col + GEMM and implicit GEMM: the im2col one verifies too, and the best of them is the one exported.
      const gemm = found.find((k) => k.genome.algorithm === 'im2col');
      expect(gemm, 'no verified im2col + GEMM kernel').toBeDefined();
      exportedId = gemm!.kernelId;
      // Another stride is another problem, with no kernels yet.
      const other = await kevo(['best', op, '--shape', SHAPE, '--stride', '1', '--db', db], { cwd: dir });
      expect(other.stdout).toMatch(/no verified kernel/);
    }

    const problem = problemFrom(op, SHAPE, { stride: 2, pad: 'same' });
    const rng = new Rng(9);
    const inputs = opByName(op)
      .inputs(problem)
      .map((t) => Float32Array.from({ length: t.dims.reduce((a, b) => a * b) }, () => rng.int(-3, 3)));
    const out = join(dir, `export-${op}`);
    const exported = await kevo(['export', exportedId, '--out', out, '--db', db], { cwd: dir });
    expect(exported.code, exported.stderr).toBe(0);
    // Small integers: every order of summation is exact, so the kernel must give the reference itself.
    expect(runExportedWasm(out, inputs).values).toEqual([...opByName(op).reference(problem, inputs)]);
    // Five CLI processes and a campaign whose GEMM seeds assemble a matmul module per edge shape: past 60 s on a loaded machine.
  }, 120_000);

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
    expect(runExportedWasm(out, inputs)).toEqual({ type: 'Uint16Array', values: [...opByName(op).reference(problem, inputs)].map((v) => f16.toBits(v)) });
    // A campaign and an export: ~20 s on an idle two-core machine, several times that beside other suites.
  }, 300_000);
});
