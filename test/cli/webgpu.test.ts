import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kevo, kevoInProcess } from '../helpers/cli.ts';
import { describeGpu } from '../worker/webgpu/support.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-cli-webgpu-'));

describe('kevo run --backend webgpu without an adapter', () => {
  it('fails at once saying what to install, and writes nothing', async () => {
    const db = join(dir, 'none.db');
    const run = await kevo(['run', 'matmul', '--shape', '8x8x8', '--backend', 'webgpu', '--budget', '2', '--db', db], {
      env: { VK_ICD_FILENAMES: join(dir, 'no-such-icd.json'), VK_DRIVER_FILES: join(dir, 'no-such-icd.json') },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no WebGPU adapter: .*mesa-vulkan-drivers/);
    expect(existsSync(db)).toBe(false);
  });
});

describeGpu('kevo run --backend webgpu (end to end on this adapter)', () => {
  it('runs a campaign, lists its kernels by backend, and exports one', async () => {
    const db = join(dir, 'kevo.db');
    const common = ['--db', db];
    const run = await kevo(['run', 'matmul', '--shape', '12x20x8', '--backend', 'webgpu', '--budget', '2', '--population', '2', '--timing-ms', '50', '--promote', '0', '--json', ...common]);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.evaluations).toBe(2);
    expect(out.best.genome.backend).toBe('webgpu');

    // The queries through main() in process; the run and the export spawn the bin.
    const best = await kevoInProcess(['best', 'matmul', '--shape', '12x20x8', '--backend', 'webgpu', '--json', ...common]);
    expect(JSON.parse(best.stdout)[0].kernelId).toBe(out.best.kernelId);
    const wasmOnly = await kevoInProcess(['best', 'matmul', '--shape', '12x20x8', '--backend', 'wasm', '--json', ...common]);
    expect(JSON.parse(wasmOnly.stdout)).toEqual([]);

    const target = join(dir, 'exported');
    const exported = await kevo(['export', out.best.kernelId, '--out', target, ...common]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(readdirSync(target).sort()).toEqual(['index.d.ts', 'index.js', 'kernel.wgsl', 'meta.json']);
    const meta = JSON.parse(readFileSync(join(target, 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({ backend: 'webgpu', problem: { shape: { m: 12, n: 20, k: 8 } } });
    expect(meta.dispatch).toHaveLength(3);
  });
});
