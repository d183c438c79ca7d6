import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { opByName, problemFrom } from '../../genome/ops/index.ts';
import { Rng } from '../../lib/rng.ts';
import { campaignOver, kevoInProcess } from '../helpers/cli.ts';
import { runExportedWasm } from '../helpers/exported-wasm.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-cli-winograd-'));
const db = join(dir, 'kevo.db');
const SHAPE = 'n1h13w11c7k9r3s3';
const problemFlags = (pad: string) => ['--shape', SHAPE, '--pad', pad, '--accuracy', 'f32-norm', '--db', db];

describe('a 3x3 stride-1 conv2d campaign under the f32-norm contract, on an odd shape', () => {
  beforeAll(async () => {
    // One campaign over both paddings (one node and one pool, where a run each would start them twice).
    await campaignOver(
      dir,
      db,
      ['same', 'valid'].map((pad) => ({ op: 'conv2d', shape: SHAPE, pad, accuracy: 'f32-norm' })),
      { budget: { evaluations: 4 }, population: 4, threads: 2, timing: { timingMs: 30 }, seed: 3, relaxedSimd: false, promote: 0 },
    );
  }, 150_000);

  it.each(['same', 'valid'])('pad %s: Winograd kernels are verified beside direct ones, and one exports to a kernel a plain script runs', async (pad) => {
    // The queries and the export through the CLI's main() in process; the campaign spawned the bin.
    const best = await kevoInProcess(['best', 'conv2d', ...problemFlags(pad), '--json']);
    expect(best.code, best.stderr).toBe(0);
    const rows: { kernelId: string; genome: { family: string } }[] = JSON.parse(best.stdout);
    expect(new Set(rows.map((r) => r.genome.family))).toEqual(new Set(['direct', 'winograd']));
    // The default f32 contract never answers a Winograd kernel.
    const strict = await kevoInProcess(['best', 'conv2d', '--shape', SHAPE, '--pad', pad, '--db', db, '--json']);
    expect(strict.stdout).not.toMatch(/winograd/);

    const winograd = rows.find((r) => r.genome.family === 'winograd')!;
    const out = join(dir, `export-${pad}`);
    const exported = await kevoInProcess(['export', winograd.kernelId, '--out', out, '--db', db]);
    expect(exported.code, exported.stderr).toBe(0);
    const problem = problemFrom('conv2d', SHAPE, { pad, accuracy: 'f32-norm' });
    const rng = new Rng(9);
    const inputs = opByName('conv2d')
      .inputs(problem)
      .map((t) => Float32Array.from({ length: t.dims.reduce((a, b) => a * b) }, () => rng.int(-3, 3)));
    // Small integers: Winograd's quarter-integer intermediates are exact, so the kernel must give the reference itself.
    expect(runExportedWasm(out, inputs).values).toEqual([...opByName('conv2d').reference(problem, inputs)]);
  });
});
