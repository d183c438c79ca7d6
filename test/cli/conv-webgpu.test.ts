import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { webgpuUserPrelude } from '../helpers/webgpu-user.ts';
import { opFor, problemFrom } from '../../genome/ops/index.ts';
import { Rng } from '../../lib/rng.ts';
import { checkOutput } from '../../verifiers/compare.ts';
import { drawInputs } from '../../verifiers/inputs.ts';
import { kevo } from '../helpers/cli.ts';
import { describeGpu } from '../worker/webgpu/support.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-cli-conv-webgpu-'));
const db = join(dir, 'kevo.db');
const SHAPE = 'n1h13w11c7k9r3s3';

/** A short campaign on the odd shape: the seeds come first, so a few evaluations reach a verified kernel faster than the baseline. */
async function campaign(op: string, dtype = 'f32'): Promise<{ kernelId: string; genome: Record<string, unknown>; speedup: number }> {
  const run = await kevo(['run', op, '--backend', 'webgpu', '--dtype', dtype, '--shape', SHAPE, '--stride', '2', '--pad', 'same', '--budget', '2', '--population', '2', '--timing-ms', '40', '--json', '--db', db]);
  expect(run.code, run.stderr).toBe(0);
  const out = JSON.parse(run.stdout);
  expect(out.evaluations).toBe(2);
  expect(out.best.genome).toMatchObject({ op, backend: 'webgpu', family: dtype === 'f16' ? 'f16' : 'conv' });
  return out.best;
}

/** The exported module loaded in a plain Node script with a device from the `webgpu` package, as a user would. */
const USER_SCRIPT = `
import { readFileSync, writeFileSync } from 'node:fs';
${webgpuUserPrelude("'./index.js'")}
const kernel = await exported.load(device);
const read = (name) => { const b = readFileSync(name); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };
writeFileSync('y.bin', await kernel.run(read('x.bin'), read('w.bin')));
kernel.destroy();
device.destroy();
delete globalThis.keepGpu;
`;

describeGpu('kevo run conv2d / conv2d-bwd-weights --backend webgpu (end to end on this adapter)', () => {
  it('forward and backward campaigns verify and beat the baseline; the best forward kernel exports and runs from a plain script', async () => {
    const forward = await campaign('conv2d');
    expect(forward.speedup).toBeGreaterThan(1);
    expect((await campaign('conv2d-bwd-weights')).speedup).toBeGreaterThan(1);

    const target = join(dir, 'exported');
    const exported = await kevo(['export', forward.kernelId, '--out', target, '--db', db]);
    expect(exported.code, exported.stderr).toBe(0);
    const meta = JSON.parse(readFileSync(join(target, 'meta.json'), 'utf8'));
    expect(meta.abi.inputs.map((t: { name: string }) => t.name)).toEqual(['X', 'W']);
    expect(meta.abi.output).toMatchObject({ name: 'Y', dims: [1, 7, 6, 9] });

    const problem = problemFrom('conv2d', SHAPE, { stride: 2, pad: 'same' });
    const rng = new Rng(42);
    const inputs = drawInputs(problem, () => () => rng.normal(), rng, 'normal') as Float32Array[];
    writeFileSync(join(target, 'x.bin'), inputs[0]!);
    writeFileSync(join(target, 'w.bin'), inputs[1]!);
    writeFileSync(join(target, 'user.mjs'), USER_SCRIPT);
    await promisify(execFile)(process.execPath, ['user.mjs'], { cwd: target, timeout: 60_000 });
    const bytes = readFileSync(join(target, 'y.bin'));
    const got = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const op = opFor(problem);
    const expected = { indices: null, want: op.reference(problem, inputs), magnitude: op.magnitude(problem, inputs) };
    expect(checkOutput(got, expected, op.tolerance(problem, 'f32'), op.output(problem))).toBeNull();
    // Two campaigns take ~25 s on an idle two-core machine; other suites running beside this one stretch that severalfold.
  }, 400_000);

  it('--dtype f16: forward and backward-data campaigns verify f16 kernels', async () => {
    for (const op of ['conv2d', 'conv2d-bwd-data']) expect((await campaign(op, 'f16')).genome).toMatchObject({ family: 'f16', precision: 'f32' });
  }, 400_000);
});
