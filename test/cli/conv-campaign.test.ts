import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { f16 } from '../../genome/dtypes/index.ts';
import { opByName, problemFrom } from '../../genome/ops/index.ts';
import { Rng } from '../../lib/rng.ts';
import { campaignOver, kevoInProcess, type BestKernel } from '../helpers/cli.ts';
import { runExportedWasm } from '../helpers/exported-wasm.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-cli-conv-'));
const db = join(dir, 'kevo.db');
const SHAPE = 'n1h13w11c7k9r3s3';
const PROBLEMS = [
  { op: 'conv2d', dtype: 'f32' },
  { op: 'conv2d-bwd-weights', dtype: 'f32' },
  { op: 'conv2d', dtype: 'f16' },
  { op: 'conv2d-bwd-data', dtype: 'f16' },
];

describe('convolution campaigns from the CLI, on an odd shape at stride 2 with same padding', () => {
  let best: BestKernel[] = [];
  beforeAll(async () => {
    // One campaign over the four problems (one node and one pool, where a run each would start them four times).
    // The queries and exports below go through the CLI's main() in process.
    ({ best } = await campaignOver(
      dir,
      db,
      PROBLEMS.map((p) => ({ ...p, shape: SHAPE, stride: 2, pad: 'same' })),
      { budget: { evaluations: 5 }, population: 3, threads: 2, timing: { timingMs: 40 }, seed: 3, relaxedSimd: false, promote: 0 },
    ));
  }, 300_000);
  const bestOf = (op: string, dtype: string) => best[PROBLEMS.findIndex((p) => p.op === op && p.dtype === dtype)]!;

  it.each(['conv2d', 'conv2d-bwd-weights'])('%s: verifies, beats its baseline, and exports a kernel (conv2d: its best im2col + GEMM one) a plain script runs with the op ABI', async (op) => {
    const result = { best: bestOf(op, 'f32') };
    expect(result.best.genome).toMatchObject({ op, backend: 'wasm', family: 'direct' });
    expect(result.best.speedup).toBeGreaterThan(1);

    let exportedId: string = result.best.kernelId;
    if (op === 'conv2d') {
      const best = await kevoInProcess(['best', op, '--shape', SHAPE, '--stride', '2', '--pad', 'same', '--db', db, '--json']);
      expect(best.code, best.stderr).toBe(0);
      const found = JSON.parse(best.stdout) as { kernelId: string; genome: { algorithm?: string } }[];
      expect(found[0]!.kernelId).toBe(result.best.kernelId);
      // The budget is the seeds, which alternate direct, im2col + GEMM and implicit GEMM: the im2col one verifies too, and the best of them is the one exported.
      const gemm = found.find((k) => k.genome.algorithm === 'im2col');
      expect(gemm, 'no verified im2col + GEMM kernel').toBeDefined();
      exportedId = gemm!.kernelId;
      // Another stride is another problem, with no kernels yet.
      const other = await kevoInProcess(['best', op, '--shape', SHAPE, '--stride', '1', '--db', db]);
      expect(other.stdout).toMatch(/no verified kernel/);
    }

    const problem = problemFrom(op, SHAPE, { stride: 2, pad: 'same' });
    const rng = new Rng(9);
    const inputs = opByName(op)
      .inputs(problem)
      .map((t) => Float32Array.from({ length: t.dims.reduce((a, b) => a * b) }, () => rng.int(-3, 3)));
    const out = join(dir, `export-${op}`);
    const exported = await kevoInProcess(['export', exportedId, '--out', out, '--db', db]);
    expect(exported.code, exported.stderr).toBe(0);
    // Small integers: every order of summation is exact, so the kernel must give the reference itself.
    expect(runExportedWasm(out, inputs).values).toEqual([...opByName(op).reference(problem, inputs)]);
  }, 120_000);

  it.each(['conv2d', 'conv2d-bwd-data'])('%s f16: the f16 family verifies and beats its baseline; conv2d exports a kernel taking and giving Uint16Array bits', async (op) => {
    const result = { best: bestOf(op, 'f16') };
    expect(result.best.genome).toMatchObject({ op, backend: 'wasm', family: 'f16' });
    expect(result.best.speedup).toBeGreaterThan(1);
    if (op !== 'conv2d') return;

    const out = join(dir, 'export-f16');
    const exported = await kevoInProcess(['export', result.best.kernelId, '--out', out, '--db', db]);
    expect(exported.code, exported.stderr).toBe(0);
    const problem = problemFrom(op, SHAPE, { stride: 2, pad: 'same', dtype: 'f16' });
    const rng = new Rng(9);
    const inputs = opByName(op)
      .inputs(problem)
      .map((t) => Uint16Array.from({ length: t.dims.reduce((a, b) => a * b) }, () => f16.toBits(rng.int(-3, 3))));
    // Small integers: every sum (at most 63 * 9) is exact in f32 and in f16, so the bits must be the reference's.
    expect(runExportedWasm(out, inputs)).toEqual({ type: 'Uint16Array', values: [...opByName(op).reference(problem, inputs)].map((v) => f16.toBits(v)) });
  }, 120_000);
});
