import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { matmul } from '../../genome/ops/matmul.ts';
import { Rng } from '../../lib/rng.ts';
import { kevo, kevoInProcess } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-cli-'));
const db = join(dir, 'kevo.db');
const runArgs = ['run', 'matmul', '--shape', '20x28x12', '--budget', '8', '--population', '4', '--threads', '2', '--timing-ms', '40', '--seed', '5', '--no-relaxed-simd', '--promote', '0', '--db', db];

// The bin runs each command once; further calls of a command go through the CLI's main() in process.
// No promotion gate: test/cli/promotion.test.ts has its rounds.
describe('kevo run, best, export, campaign (spawning the bin)', () => {
  let kernelId = '';
  let campaignId = '';

  it('runs a campaign in process and prints one JSON object', async () => {
    const run = await kevo([...runArgs, '--json'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ status: 'done', cached: 0 });
    expect(out.evaluations).toBeGreaterThan(0);
    expect(out.evaluations + out.cached).toBeLessThanOrEqual(8);
    expect(out.best.gflops).toBeGreaterThan(0);
    expect(out.best.genome.backend).toBe('wasm');
    expect(out.best.deviceClass.id).toMatch(/^[0-9a-f]{16}$/);
    kernelId = out.best.kernelId;
    campaignId = out.campaignId;
  });

  it('the same seeded campaign again evaluates nothing new', async () => {
    const run = await kevo([...runArgs, '--json'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.evaluations).toBe(0);
    expect(out.cached).toBe(8);
    expect(out.best.kernelId).toBe(kernelId);
  });

  it('best lists verified kernels best first (highest speedup), filtered by device', async () => {
    const run = await kevo(['best', 'matmul', '--shape', '20x28x12', '--db', db, '--json'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout) as { kernelId: string; speedup: number; deviceClass: { id: string }; measuredError: { ofTolerance: number; maxAbs: number } }[];
    expect(rows[0]!.kernelId).toBe(kernelId);
    for (const row of rows) {
      expect(row.measuredError.ofTolerance).toBeGreaterThan(0);
      expect(row.measuredError.ofTolerance).toBeLessThanOrEqual(1);
    }
    expect(rows.map((r) => r.speedup)).toEqual([...rows.map((r) => r.speedup)].sort((a, b) => b - a));
    const device = rows[0]!.deviceClass.id.slice(0, 6);
    const filtered = await kevoInProcess(['best', 'matmul', '--shape', '20x28x12', '--device', device, '--db', db]);
    expect(filtered.stdout).toContain(kernelId);
    expect(filtered.stdout.split('\n')[0]).toMatch(/speedup .* err\/tol +max \|err\|/);
    expect(filtered.stdout).toContain(rows[0]!.measuredError.ofTolerance.toPrecision(2));
    const none = await kevoInProcess(['best', 'matmul', '--shape', '20x28x12', '--device', 'ffffffffff', '--db', db]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/device/);
  });

  it('exports a kernel whose ES module computes C on fresh inputs', async () => {
    const out = join(dir, 'exported');
    const run = await kevo(['export', kernelId.slice(0, 8), '--out', out, '--db', db], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['index.d.ts', 'index.js', 'kernel.wasm', 'kernel.wat', 'meta.json']);
    const meta = JSON.parse(readFileSync(join(out, 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({ kernelId, backend: 'wasm', problem: { shape: { m: 20, n: 28, k: 12 } } });
    expect(meta.verdicts.length).toBeGreaterThan(0);
    const module = await import(pathToFileURL(join(out, 'index.js')).href);
    const kernel = await module.load();
    const problem = kernel.problem;
    const rng = new Rng(99);
    const inputs = matmul.inputs(problem).map((t) => Float32Array.from({ length: t.dims[0]! * t.dims[1]! }, () => rng.normal()));
    // a kernel that packs B at load time (the seeds do) takes it through setWeights(), and run() the rest
    const isWeight = (i: number) => ((module.tensors.weights ?? []) as string[]).includes(module.tensors.inputs[i].name);
    kernel.setWeights?.(...inputs.filter((_, i) => isWeight(i)));
    const got: Float32Array = kernel.run(...inputs.filter((_, i) => !isWeight(i)));
    const want = matmul.reference(problem, inputs);
    const magnitude = matmul.magnitude(problem, inputs);
    const tol = matmul.tolerance(problem, 'f32');
    got.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(tol.abs + tol.rel * magnitude[i]!));
    expect(() => kernel.run()).toThrow(/run\(\): input A must be a Float32Array, got Undefined/);
  });

  it('an unknown kernel id is bad input', async () => {
    const run = await kevoInProcess(['export', 'deadbeefdead', '--out', join(dir, 'x'), '--db', db]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/deadbeefdead/);
  });

  it('campaign list and show report what ran', async () => {
    const list = await kevo(['campaign', 'list', '--db', db, '--json'], { cwd: dir });
    expect(list.code, list.stderr).toBe(0);
    const campaigns = JSON.parse(list.stdout) as { id: string; status: string }[];
    expect(campaigns).toHaveLength(2);
    expect(campaigns.every((c) => c.status === 'done')).toBe(true);
    const show = await kevoInProcess(['campaign', 'show', campaignId, '--db', db]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(campaignId);
    expect(show.stdout).toContain(kernelId);
    const missing = await kevoInProcess(['campaign', 'show', 'c-nope', '--db', db]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no campaign "c-nope"/);
  });
});
