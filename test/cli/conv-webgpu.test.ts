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
import { campaignOver, kevo } from '../helpers/cli.ts';
import { describeGpu } from '../worker/webgpu/support.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-cli-conv-webgpu-'));
const db = join(dir, 'kevo.db');
const SHAPE = 'n1h13w11c7k9r3s3';

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

describeGpu('conv2d / conv2d-bwd-weights / conv2d-bwd-data campaigns on --backend webgpu, f32 and f16 (end to end on this adapter)', () => {
  it('each problem gets a verified kernel of its family, timed against the baseline; the best forward kernel exports and runs from a plain script', async () => {
    const problems = [
      { op: 'conv2d', dtype: 'f32' },
      { op: 'conv2d-bwd-weights', dtype: 'f32' },
      { op: 'conv2d', dtype: 'f16' },
      { op: 'conv2d-bwd-data', dtype: 'f16' },
    ];
    // One campaign (a run per problem would start node and a WebGPU device four times): two evaluations each (the
    // seeds come first), no promotion gate (its rounds are test/cli/promotion.test.ts's).
    const { report, best } = await campaignOver(
      dir,
      db,
      problems.map((p) => ({ ...p, shape: SHAPE, stride: 2, pad: 'same' })),
      { backend: 'webgpu', budget: { evaluations: 2 }, population: 2, timing: { timingMs: 40 }, promote: 0 },
    );
    expect(report.evaluations).toBe(2 * problems.length);
    problems.forEach(({ op, dtype }, i) => {
      // Only verified kernels are ranked. Whether two evaluations on lavapipe beat the baseline is timing noise
      // under load (once 0.82x): the speedup is asserted to be measured, not to exceed 1; speed lives in bench/.
      expect(best[i]?.genome, `${op} ${dtype}`).toMatchObject({ op, backend: 'webgpu', ...(dtype === 'f16' ? { family: 'f16', precision: 'f32' } : { family: 'conv' }) });
      expect(best[i]!.speedup).toBeGreaterThan(0);
    });
    const forward = best[0]!;

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
    // Four problems take ~15 s on an idle two-core machine; other suites running beside this one stretch that severalfold.
  }, 400_000);
});
