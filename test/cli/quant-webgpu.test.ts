import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, expect, it } from 'vitest';
import { WEBGPU_USER_SETUP } from '../helpers/webgpu-user.ts';
import { dtypeOf, f16, type Storage } from '../../genome/dtypes/index.ts';
import { elementCount, opFor, parseProblem, type TensorSpec } from '../../genome/ops/index.ts';
import { checkOutput } from '../../verifiers/compare.ts';
import { campaignOver, kevoInProcess, type BestKernel } from '../helpers/cli.ts';
import { describeGpu } from '../worker/webgpu/support.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-cli-quant-webgpu-'));

/**
 * A user's script: plain Node and the `webgpu` package, no kevo. For each
 * exported module in turn it opens a device with what the export asks for,
 * fills each input's typed array (Int8Array, Uint8Array, Uint16Array of f16
 * bits, Float32Array) with the values given and prints C: one node and one
 * Dawn for all the exports.
 */
const SCRIPT = `
import { readFileSync } from 'node:fs';
const runs = JSON.parse(readFileSync(process.argv[2], 'utf8'));
${WEBGPU_USER_SETUP}
const types = { i8: Int8Array, u8: Uint8Array, i16: Int16Array, u4: Uint8Array, i4: Uint8Array, f16: Uint16Array, f32: Float32Array };
const results = [];
for (const { moduleUrl, inputs } of runs) {
  const exported = await import(moduleUrl);
  const device = await deviceFor(exported);
  const kernel = await exported.load(device);
  const c = await kernel.run(...inputs.map((values, i) => types[exported.tensors.inputs[i].dtype].from(values)));
  results.push({ type: c.constructor.name, values: [...c] });
  kernel.destroy();
  device.destroy();
}
console.log(JSON.stringify(results));
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

// Budget: the seeds (three instructions for int8; two storages for f16 under the default f32 contract, and two samples
// more: on a loaded machine lavapipe's timings of the two seeds alone were once both below the baseline's; two tiles for
// w4; w4a8's two instructions and its GEMV tile). No more: a bred candidate can take lavapipe half a minute.
const VARIANTS = [
  ['i8', {}, 3],
  ['u8i8', {}, 3],
  ['f16', {}, 4],
  ['w4', { group: 32 }, 2],
  ['i16', {}, 2],
  ['i16', { exponentBlock: 32 }, 2],
  ['w4a8', { group: 32 }, 3],
] as const;
const FAMILY = { i8: 'int8', u8i8: 'int8', f16: 'f16', w4: 'w4', w4a8: 'w4a8', i16: 'i16' } as const;

interface Checked {
  readonly best: BestKernel;
  readonly problem: ReturnType<typeof parseProblem>;
  readonly fresh: number[][];
  readonly got: { type: string; values: number[] };
}

describeGpu('matmul campaigns on --backend webgpu for i8 / u8i8 / f16 / w4 / w4a8 / i16 [exponentBlock 32] (spawning the bin), each export in a plain script', () => {
  const checked: Checked[] = [];

  beforeAll(async () => {
    // One campaign per budget over its problems (a run each would start node and a WebGPU device seven times). The
    // deadline is generous: lavapipe on a loaded machine compiles slowly. No promotion gate: its rounds are
    // test/cli/promotion.test.ts's.
    const db = join(dir, 'kevo.db');
    const bests: Checked['best'][] = [];
    for (const budget of new Set(VARIANTS.map(([, , budget]) => budget))) {
      const variants = VARIANTS.map(([dtype, extra, b], i) => ({ dtype, extra, i, b })).filter(({ b }) => b === budget);
      const { best } = await campaignOver(
        dir,
        db,
        variants.map(({ dtype, extra }) => ({ op: 'matmul', shape: '37x53x40', dtype, ...extra })),
        { backend: 'webgpu', budget: { evaluations: budget }, population: budget, timing: { timingMs: 80, deadlineMs: 240_000 }, promote: 0 },
      );
      best.forEach((b, k) => (bests[variants[k]!.i] = b));
    }

    // Exported through the CLI's main() in process (test/cli/conv-webgpu.test.ts spawns the bin for it).
    const runs = [];
    const prepared = [];
    for (const [i, best] of bests.entries()) {
      const out = join(dir, `export-${i}`);
      const exported = await kevoInProcess(['export', best.kernelId.slice(0, 8), '--out', out, '--db', db]);
      expect(exported.code, exported.stderr).toBe(0);
      const problem = parseProblem(JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8')).problem);
      const fresh = opFor(problem).inputs(problem).map((t, i) => freshValues(t, i + 1));
      runs.push({ moduleUrl: pathToFileURL(join(out, 'index.js')).href, inputs: fresh });
      prepared.push({ best, problem, fresh });
    }
    const script = join(dir, 'user.mjs');
    writeFileSync(script, SCRIPT);
    writeFileSync(join(dir, 'runs.json'), JSON.stringify(runs));
    const { stdout } = await promisify(execFile)(process.execPath, [script, join(dir, 'runs.json')], { timeout: 120_000, maxBuffer: 16 << 20 });
    const got = JSON.parse(stdout) as Checked['got'][];
    prepared.forEach((p, i) => checked.push({ ...p, got: got[i]! }));
  }, 400_000);

  it.each(VARIANTS.map(([dtype, extra], i) => [dtype, extra, i] as const))(
    '%s %j: finds a verified kernel faster than its baseline, and its export is right on fresh inputs',
    (dtype, extra, i) => {
      const { best, problem, fresh, got } = checked[i]!;
      expect(best.genome).toMatchObject({ backend: 'webgpu', family: FAMILY[dtype] });
      expect(problem).toMatchObject({ dtype, ...('group' in extra ? { group: extra.group } : {}) });
      // A register tile against one output per thread, timed side by side in the same job.
      expect(best.speedup).toBeGreaterThan(1);

      const op = opFor(problem);
      const typed = op.inputs(problem).map((t, i) => {
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
  );
});
