import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { randomW4a8Inputs, randomW4Weights } from '../../genome/ops/matmul/int4/inputs.ts';
import { int4Rel, w4a8Reference, w4Reference } from '../../genome/ops/matmul/int4/reference.ts';
import { Rng } from '../../lib/rng.ts';
import { kevo, kevoInProcess } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-int4-'));
const db = join(dir, 'kevo.db');
const shape = { m: 37, n: 53, k: 40, group: 32 };

/** Runs `script` (an ES module) in a fresh node with no loader, as a user's script, and parses the JSON it prints. */
function userScript(script: string): unknown {
  const file = join(dir, `user-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, script);
  const child = spawnSync(process.execPath, [file], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`the user script failed: ${child.stderr}`);
  return JSON.parse(child.stdout);
}

// w4 with zero points, so the export takes all four of ORT's MatMulNBits inputs
const runArgs = (dtype: string) => ['run', 'matmul', '--shape', '37x53x40', '--dtype', dtype, ...(dtype === 'w4' ? ['--zero-point'] : []), '--group', '32', '--budget', '8', '--population', '4', '--threads', '2', '--timing-ms', '40', '--seed', '3', '--no-relaxed-simd', '--promote', '0', '--db', db, '--json'];

describe('4-bit campaigns from the CLI, exported and called from a plain script', () => {
  for (const dtype of ['w4', 'w4a8'] as const) {
    it(`${dtype} 37x53x40 G 32: a verified kernel faster than the baseline, whose export is right on fresh inputs`, async () => {
      const run = await kevo(runArgs(dtype), { cwd: dir });
      expect(run.code, run.stderr).toBe(0);
      const best = JSON.parse(run.stdout).best;
      expect(best.speedup).toBeGreaterThan(1);
      const out = join(dir, `exported-${dtype}`);
      // The bin exports w4's kernel; main() in process w4a8's (the same command without a node start).
      const exportArgs = ['export', best.kernelId.slice(0, 8), '--out', out, '--db', db];
      const exported = dtype === 'w4' ? await kevo(exportArgs, { cwd: dir }) : await kevoInProcess(exportArgs);
      expect(exported.code, exported.stderr).toBe(0);
      const abi = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8')).abi;
      expect(abi.inputs.map((t: { name: string; dtype: string }) => `${t.name}:${t.dtype}`)).toEqual(
        dtype === 'w4' ? ['A:f32', 'B:u4', 'scales:f32', 'zero_points:u4'] : ['A:i8', 'B:i4', 'a_scales:f32', 'scales:f32'],
      );

      const rng = new Rng(2026);
      const inputs =
        dtype === 'w4'
          ? (() => {
              const { b, scales, zeroPoints } = randomW4Weights(shape, true, rng);
              return { a: Float32Array.from({ length: shape.m * shape.k }, () => Math.fround(rng.normal())), b, scales, zeroPoints: zeroPoints! };
            })()
          : randomW4a8Inputs(shape, rng);
      const arrays = 'aScales' in inputs ? [inputs.a, inputs.b, inputs.aScales, inputs.scales] : [inputs.a, inputs.b, inputs.scales, inputs.zeroPoints];
      const literal = (t: ArrayBufferView) => `new ${t.constructor.name}(${JSON.stringify(Array.from(t as unknown as ArrayLike<number>))})`;
      // A kernel that dequantizes at load time takes its weights (tensors.weights) through setWeights(), and run() the rest.
      const got = userScript(`import { load, tensors } from ${JSON.stringify(pathToFileURL(join(out, 'index.js')).href)};
const kernel = await load();
const inputs = [${arrays.map(literal).join(', ')}];
const weights = (tensors.weights ?? []).map((name) => tensors.inputs.findIndex((t) => t.name === name));
if (weights.length > 0) kernel.setWeights(...weights.map((i) => inputs[i]));
const c = kernel.run(...inputs.filter((_, i) => !weights.includes(i)));
console.log(JSON.stringify(Array.from(c)));`) as number[];
      const { want, magnitude } = 'aScales' in inputs ? w4a8Reference(shape, inputs) : w4Reference(shape, inputs);
      const rel = int4Rel(shape.k, 2 ** -24);
      expect(got).toHaveLength(shape.m * shape.n);
      got.forEach((v, e) => expect(Math.abs(v - want[e]!)).toBeLessThanOrEqual(rel * magnitude[e]!));
    });
  }

  it('refuses bad 4-bit flags with exit 2, naming the flag, and writes nothing (main() in process; test/cli/dtype-flags.test.ts has the rest)', async () => {
    const cases: [string[], RegExp][] = [
      [['--dtype', 'w4a8', '--group', '16'], /^kevo: --group: expected 32, 64 or 128\n$/],
      [['--dtype', 'w4', '--group', '0'], /^kevo: --group: /],
      [['--dtype', 'w4', '--epilogue', 'relu'], /^kevo: --epilogue: an epilogue needs dtype f32, not w4\n$/],
      [['--dtype', 'w4a8', '--zero-point'], /^kevo: --zero-point: only w4 takes a zero point flag, not w4a8\n$/],
    ];
    const bad = join(dir, 'bad.db');
    for (const [flags, message] of cases) {
      const run = await kevoInProcess(['run', 'matmul', '--shape', '8x8x64', ...flags, '--budget', '2', '--db', bad]);
      expect(run.code, flags.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(existsSync(bad)).toBe(false);
    }
  });
});
