import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { webgpuUserPrelude } from '../helpers/webgpu-user.ts';
import { dtypeOf, f16, type Storage } from '../../genome/dtypes/index.ts';
import { elementCount, opFor, parseProblem, type TensorSpec } from '../../genome/ops/index.ts';
import { checkOutput } from '../../verifiers/compare.ts';
import { kevo } from '../helpers/cli.ts';
import { describeGpu } from '../worker/webgpu/support.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-cli-quant-webgpu-'));

/**
 * A user's script: plain Node and the `webgpu` package, no kevo. It opens a
 * device with what the export asks for, fills each input's typed array
 * (Int8Array, Uint8Array, Uint16Array of f16 bits, Float32Array) with the values given and
 * prints C.
 */
const SCRIPT = `
const [moduleUrl, inputsJson] = process.argv.slice(2);
${webgpuUserPrelude('moduleUrl')}
const { tensors } = exported;
const kernel = await exported.load(device);
const types = { i8: Int8Array, u8: Uint8Array, i16: Int16Array, u4: Uint8Array, i4: Uint8Array, f16: Uint16Array, f32: Float32Array };
const inputs = JSON.parse(inputsJson).map((values, i) => types[tensors.inputs[i].dtype].from(values));
const c = await kernel.run(...inputs);
console.log(JSON.stringify({ type: c.constructor.name, values: [...c] }));
kernel.destroy();
device.destroy();
`;

/**
 * A fresh input's storage elements: f16 bits and f32 values of either sign
 * (scales positive), the full integer range, packed nibbles as any bytes.
 */
function freshValues(t: TensorSpec, salt: number): number[] {
  const d = dtypeOf(t.dtype);
  const count = elementCount(t.dims);
  const wave = (e: number) => Math.sin(e * 0.37 + salt) * 4;
  if (d.name === 'f16') return Array.from({ length: count }, (_, e) => f16.toBits(wave(e)));
  if (d.name === 'f32') return Array.from({ length: count }, (_, e) => (/scales$/.test(t.name) ? 0.01 + Math.abs(wave(e)) / 40 : wave(e)));
  if (d.bits === 4) return Array.from({ length: d.storageBytes(count) }, (_, e) => (e * 53 + salt * 7) % 256);
  // Block exponents within a few binades of each other, so every block counts.
  if (t.name.endsWith('exponents')) return Array.from({ length: count }, (_, e) => ((e * 5 + salt) % 13) - 6);
  const span = d.limits.max - d.limits.min + 1;
  return Array.from({ length: count }, (_, e) => d.limits.min + ((e * 53 + salt * 7) % span));
}

describeGpu('kevo run --backend webgpu --dtype i8 / u8i8 / f16 / w4 / w4a8 / i16 [--exponent-block 32], export, and the module in a plain script (spawning the bin)', () => {
  // Budget: the seeds (three instructions for int8; two storages for f16 under the default f32 contract, and two
  // samples more: on a loaded machine lavapipe's timings of the two seeds alone were once both below the baseline's;
  // two tiles for w4; w4a8's two instructions and its GEMV tile).
  it.each([
    ['i8', [], 3],
    ['u8i8', [], 3],
    ['f16', [], 4],
    ['w4', ['--group', '32'], 2],
    ['i16', [], 2],
    ['i16', ['--exponent-block', '32'], 2],
    ['w4a8', ['--group', '32'], 3],
  ] as const)(
    '%s %j: finds a verified kernel faster than its baseline, and its export is right on fresh inputs',
    async (dtype, extra, budget) => {
      const file = [dtype, ...extra].join('').replace(/\W+/g, '-');
      const db = join(dir, `${file}.db`);
      // The deadline is generous: lavapipe on a loaded machine compiles slowly.
      const args = ['run', 'matmul', '--backend', 'webgpu', '--shape', '37x53x40', '--dtype', dtype, ...extra, '--budget', `${budget}`, '--population', `${budget}`, '--timing-ms', '80', '--deadline-ms', '240000', '--promote', '0'];
      const run = await kevo([...args, '--db', db, '--json'], { cwd: dir });
      expect(run.code, run.stderr).toBe(0);
      const best = JSON.parse(run.stdout).best;
      expect(best.genome).toMatchObject({ backend: 'webgpu', family: { i8: 'int8', u8i8: 'int8', f16: 'f16', w4: 'w4', w4a8: 'w4a8', i16: 'i16' }[dtype] });
      // A register tile against one output per thread, timed side by side in the same job.
      expect(best.speedup).toBeGreaterThan(1);

      const out = join(dir, `${file}-export`);
      const exported = await kevo(['export', best.kernelId.slice(0, 8), '--out', out, '--db', db], { cwd: dir });
      expect(exported.code, exported.stderr).toBe(0);
      const meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8'));
      const problem = parseProblem(meta.problem);
      const op = opFor(problem);
      const specs = op.inputs(problem);
      const fresh = specs.map((t, i) => freshValues(t, i + 1));
      const script = join(dir, `${file}-user.mjs`);
      writeFileSync(script, SCRIPT);
      const { stdout } = await promisify(execFile)(process.execPath, [script, pathToFileURL(join(out, 'index.js')).href, JSON.stringify(fresh)], { timeout: 120_000 });
      const got = JSON.parse(stdout);
      const typed = specs.map((t, i) => {
        const storage = dtypeOf(t.dtype).allocate(elementCount(t.dims));
        storage.set(fresh[i]!);
        return storage;
      }) as Storage[];
      if (dtype === 'f16' || dtype === 'w4' || dtype === 'w4a8') {
        // The problem's accuracy contract is f32's (no --accuracy): the kernel accumulates in f32.
        expect(got.type).toBe(dtype === 'f16' ? 'Uint16Array' : 'Float32Array');
        const expected = { indices: null, want: op.reference(problem, typed), magnitude: op.magnitude(problem, typed) };
        const output = dtype === 'f16' ? Uint16Array.from(got.values) : Float32Array.from(got.values);
        expect(checkOutput(output, expected, op.tolerance(problem, 'f32'), op.output(problem))).toBeNull();
      } else {
        expect(got.type).toBe('Int32Array');
        expect(got.values).toEqual([...op.reference(problem, typed)]);
      }
    },
    400_000,
  );
});
