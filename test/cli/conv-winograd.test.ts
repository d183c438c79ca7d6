import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { opByName, problemFrom } from '../../genome/ops/index.ts';
import { Rng } from '../../lib/rng.ts';
import { kevo } from '../helpers/cli.ts';
import { runExportedWasm } from '../helpers/exported-wasm.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-cli-winograd-'));
const db = join(dir, 'kevo.db');
const SHAPE = 'n1h13w11c7k9r3s3';
const problemFlags = (pad: string) => ['--shape', SHAPE, '--pad', pad, '--accuracy', 'f32-norm', '--db', db];

describe('a 3x3 stride-1 conv2d campaign under the f32-norm contract, on an odd shape', () => {
  it.each(['same', 'valid'])('pad %s: Winograd kernels are verified beside direct ones, and one exports to a kernel a plain script runs', { timeout: 150_000 }, async (pad) => {
    const run = await kevo(['run', 'conv2d', ...problemFlags(pad), '--budget', '4', '--population', '4', '--threads', '2', '--timing-ms', '30', '--seed', '3', '--no-relaxed-simd', '--promote', '0', '--json'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'done' });

    const best = await kevo(['best', 'conv2d', ...problemFlags(pad), '--json'], { cwd: dir });
    expect(best.code, best.stderr).toBe(0);
    const rows: { kernelId: string; genome: { family: string } }[] = JSON.parse(best.stdout);
    expect(new Set(rows.map((r) => r.genome.family))).toEqual(new Set(['direct', 'winograd']));
    // The default f32 contract never answers a Winograd kernel.
    const strict = await kevo(['best', 'conv2d', '--shape', SHAPE, '--pad', pad, '--db', db, '--json'], { cwd: dir });
    expect(strict.stdout).not.toMatch(/winograd/);

    const winograd = rows.find((r) => r.genome.family === 'winograd')!;
    const out = join(dir, `export-${pad}`);
    const exported = await kevo(['export', winograd.kernelId, '--out', out, '--db', db], { cwd: dir });
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
