import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Store } from '../../coordinator/store/store.ts';
import type { DeviceFront } from '../../coordinator/store/front.ts';
import { matmul } from '../../genome/ops/matmul.ts';
import { HARNESS_VERSION } from '../../verifiers/version.ts';
import { itRefuses } from '../helpers/bad-input.ts';
import { collect, kevo, kevoInProcess, startServe } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-cli-front-'));
const db = join(dir, 'front.db');
const ACCURACY = 0.05;
// B as a model's weights: the quantized kernels quantize it once, at load (without --weights fixed they would on every call).
const problem = matmul.problem.parse({ op: 'matmul', shape: { m: 37, n: 53, k: 40 }, accuracy: ACCURACY, weights: 'fixed' });

describe('kevo run --accuracy 5e-2 (precision a gene) and kevo best --front, from the CLI and the API (spawning the bin)', () => {
  it('stores kernels of more than one precision, and the front holds exactly the non-dominated ones within the bound', async () => {
    // The seeds take turns between precisions: six candidates meet f32, i8, w4 (groups of 32) and f16, the first two twice.
    const run = await kevo(['run', 'matmul', '--shape', '37x53x40', '--accuracy', '5e-2', '--weights', 'fixed', '--budget', '6', '--population', '6', '--threads', '2', '--timing-ms', '30', '--promote', '0', '--db', db, '--json'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);

    const store = Store.open(db);
    const candidates = store.best(problem, { limit: 1000, harnessVersion: HARNESS_VERSION });
    const rejected = store.evaluations(store.campaigns()[0]!.id).filter((e) => e.status === 'rejected');
    store.close();
    const precisions = candidates.map((c) => c.precision);
    expect(precisions).toContain('i8');
    expect(precisions).toContain('f16');
    expect(precisions.some((p) => p.startsWith('f32'))).toBe(true);
    // 4 bits in groups of 32 miss 5e-2 on N(0, 1) inputs: the quantization error is counted, so w4 is a stored rejection.
    expect(rejected.map((e) => e.precision)).toContain('w4');

    const cli = await kevo(['best', 'matmul', '--shape', '37x53x40', '--accuracy', '5e-2', '--weights', 'fixed', '--front', '--json', '--db', db], { cwd: dir });
    expect(cli.code, cli.stderr).toBe(0);
    const fronts = JSON.parse(cli.stdout) as DeviceFront[];
    expect(fronts).toHaveLength(1);
    const points = fronts[0]!.points;
    const all = candidates.map((c) => ({ kernelId: c.kernelId, error: c.measuredError!.ofTolerance * ACCURACY, speedup: c.speedup }));
    const beats = (q: { error: number; speedup: number }, p: { error: number; speedup: number }) => q.error <= p.error && q.speedup >= p.speedup && (q.error < p.error || q.speedup > p.speedup);
    expect(points.length).toBeGreaterThanOrEqual(1);
    // The most accurate kernel of all leads the front (an f32 one: i8's grid is far coarser).
    expect(points[0]!.error).toBe(Math.min(...all.map((c) => c.error)));
    expect(points[0]!.precision).toMatch(/^f32/);
    for (const [i, p] of points.entries()) {
      expect(p.error).toBeLessThanOrEqual(ACCURACY);
      expect(all.some((q) => beats(q, p))).toBe(false);
      if (i > 0) expect(p.error > points[i - 1]!.error && p.speedup > points[i - 1]!.speedup).toBe(true);
    }
    // Every kernel left out is beaten (or tied) by one on the front.
    for (const c of all.filter((c) => !points.some((p) => p.kernelId === c.kernelId))) {
      expect(points.some((p) => beats(p, c) || (p.error === c.error && p.speedup === c.speedup))).toBe(true);
    }

    // The i8 kernel exports as the user's f32 ABI, quantizing inside: plain f32 arrays in (B through setWeights(), quantized once), f32 out, within the bound.
    const i8 = candidates.find((c) => c.precision === 'i8')!;
    const out = join(dir, 'i8-export');
    // Through the CLI's main() in process: the bin ran `best --front` above.
    const exported = await kevoInProcess(['export', i8.kernelId, '--out', out, '--db', db]);
    expect(exported.code, exported.stderr).toBe(0);
    const { load } = await import(pathToFileURL(join(out, 'index.js')).href);
    const [a, b] = [37 * 40, 40 * 53].map((length, t) => Float32Array.from({ length }, (_, i) => Math.sin(i * 1.7 + t)));
    const kernel = await load();
    kernel.setWeights(b);
    const c = kernel.run(a) as Float32Array;
    const want = matmul.reference(problem, [a!, b!]);
    const scale = Math.max(...matmul.magnitude(problem, [a!, b!]));
    expect(c).toBeInstanceOf(Float32Array);
    expect(Math.max(...c.map((v, i) => Math.abs(v - want[i]!))) / scale).toBeLessThanOrEqual(ACCURACY);

    const table = await kevoInProcess(['best', 'matmul', '--shape', '37x53x40', '--accuracy', '5e-2', '--weights', 'fixed', '--front', '--db', db]);
    expect(table.stdout).toMatch(/accuracy front \(max error <= 0\.05/);
    expect(table.stdout).toContain(points[0]!.kernelId);

    const { child, base } = await startServe(db);
    const served = collect(child);
    try {
      const api = await fetch(`${base}api/front?op=matmul&shape=37x53x40&accuracy=5e-2&weights=fixed`);
      expect(api.status).toBe(200);
      expect(await api.json()).toEqual(fronts);
      for (const query of ['accuracy=abc', 'accuracy=0', 'accuracy=f16', '', 'accuracy=5e-2&weights=sometimes']) {
        const bad = await fetch(`${base}api/front?op=matmul&shape=37x53x40&${query}`);
        expect(bad.status, query).toBe(400);
        expect((await bad.json()).error, query).toMatch(query.includes('weights') ? /weights: expected fixed or varying/ : /accuracy/);
      }
    } finally {
      child.kill('SIGTERM');
      await served;
    }
  }, 120_000);
});

/** Negative, NaN and out-of-range values are the parser's (test/coordinator/store/front.test.ts); these are the CLI's words for them. */
describe('bad --accuracy and --front input', () => {
  const fresh = join(dir, 'never.db');
  const run = ['run', 'matmul', '--shape', '8x8x8', '--budget', '1'];
  itRefuses(
    [
      ['accuracy 0', [...run, '--accuracy', '0'], /--accuracy: expected f32, f16, bf16, f32-norm or a max relative error/],
      ['accuracy not a number', [...run, '--accuracy', 'abc'], /--accuracy: expected f32, f16, bf16, f32-norm or a max relative error/],
      ['a numeric accuracy on an i8 problem', [...run, '--accuracy', '1e-2', '--dtype', 'i8'], /--accuracy: a numeric accuracy needs dtype f32/],
      ['--front without a numeric accuracy', ['best', 'matmul', '--shape', '8x8x8', '--front'], /--front needs a numeric --accuracy/],
    ],
    dir,
    fresh,
  );
});
