import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { geometry } from '../../genome/ops/conv/geometry.ts';
import type { ConvProblem } from '../../genome/ops/conv/problem.ts';
import { dotAt } from '../../genome/ops/conv/terms.ts';
import { opByName, problemFrom } from '../../genome/ops/index.ts';
import { Rng } from '../../lib/rng.ts';
import { kevo } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-cli-conv-i16-'));
const db = join(dir, 'kevo.db');
const SHAPE = 'n1h13w11c7k9r3s3';
const flags = ['--shape', SHAPE, '--stride', '2', '--pad', 'same', '--dtype', 'i16'];

/** The exported kernel run from a plain node script: Int16Array in, what it returns out (with its type's name). */
function runExported(out: string, inputs: Int16Array[]): { type: string; values: number[] } {
  const script = `import(${JSON.stringify(pathToFileURL(join(out, 'index.js')).href)}).then(async (m) => {
    const k = await m.load();
    const y = k.run(...${JSON.stringify(inputs.map((t) => [...t]))}.map((v) => Int16Array.from(v)));
    console.log(JSON.stringify({ type: y.constructor.name, values: [...y] }));
  });`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout);
}

describe('i16 (dynamic fixed point) convolution campaigns from the CLI, on the odd shape at stride 2 with same padding', () => {
  it.each(['conv2d', 'conv2d-bwd-data'])('%s --dtype i16: verifies, beats its baseline, and exports a kernel a plain script runs on Int16Arrays', async (op) => {
    const run = await kevo(['run', op, ...flags, '--budget', '4', '--population', '2', '--threads', '2', '--timing-ms', '40', '--seed', '3', '--no-relaxed-simd', '--db', db, '--json'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ status: 'done' });
    expect(result.best.genome).toMatchObject({ op, backend: 'wasm', family: 'int16' });
    expect(result.best.speedup).toBeGreaterThan(1);
    // f32 is another problem, with no kernels yet.
    const f32 = await kevo(['best', op, '--shape', SHAPE, '--stride', '2', '--pad', 'same', '--db', db], { cwd: dir });
    expect(f32.stdout).toMatch(/no verified kernel/);

    const out = join(dir, `export-${op}`);
    const exported = await kevo(['export', result.best.kernelId, '--out', out, '--db', db], { cwd: dir });
    expect(exported.code, exported.stderr).toBe(0);
    const problem = problemFrom(op, SHAPE, { stride: 2, pad: 'same', dtype: 'i16' });
    const rng = new Rng(9);
    // Full-range mantissas, mostly at the ends: sums leave the i32 range and must wrap as the reference does.
    const inputs = opByName(op)
      .inputs(problem)
      .map((t) => Int16Array.from({ length: t.dims.reduce((a, b) => a * b) }, () => (rng.chance(0.5) ? rng.pick([-32768, 32767]) : rng.int(-32768, 32767))));
    const want = [...opByName(op).reference(problem, inputs)];
    const unwrapped = want.map((_, o) => dotAt(op as 'conv2d', geometry(problem as ConvProblem), inputs[0]!, inputs[1]!, o).sum);
    expect(unwrapped.some((sum) => sum >= 2 ** 31 || sum < -(2 ** 31))).toBe(true);
    expect(runExported(out, inputs)).toEqual({ type: 'Int32Array', values: want });
  }, 180_000);
});
