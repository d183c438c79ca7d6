import { expect, it } from 'vitest';
import { Store } from '../../coordinator/store/store.ts';
import { answer } from '../../serve/api.ts';
import { natsFixture } from '../helpers/nats-fixture.ts';
import { collect, kevo, logLine, startKevo } from '../helpers/cli.ts';

const nats = natsFixture('portability');

interface Report {
  classes: { id: string; label: string; winner?: string; kernels: { genomeHash: string; status: string; speedup?: number }[] }[];
  pairs: { a: string; b: string; kernels: number; spearman: number | null; kendallTau: number | null }[];
}

/**
 * Two device classes on one machine, legitimately: relaxed SIMD on in one
 * worker process and off in the other changes the wasm device class.
 */
it('kevo portability times the same kernels on both live device classes over NATS and correlates their rankings', async () => {
  const search = await kevo(['run', 'matmul', '--shape', '16x16x16', '--budget', '6', '--population', '3', '--threads', '1', '--timing-ms', '10', '--no-relaxed-simd', '--promote', '0', '--db', nats.db, '--json']);
  expect(search.code, search.stderr).toBe(0);
  const workers = [['relaxed'], ['plain', '--no-relaxed-simd']].map(([name, ...more]) =>
    startKevo(['worker', '--nats', nats.url, '--threads', '1', '--name', name!, ...more, '--log-level', 'info']),
  );
  const stopped = workers.map((w) => collect(w));
  try {
    await Promise.all(workers.map((w) => logLine(w, (line) => line.msg === 'worker ready')));
    const run = await kevo(['portability', '--problem', 'matmul', '--shape', '16x16x16', '--top', '3', '--rounds', '3', '--timing-ms', '10', '--nats', nats.url, '--db', nats.db, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as Report & { kernels: { genomeHash: string }[] };
    const hashes = out.kernels.map((k) => k.genomeHash).sort();
    expect(hashes.length).toBeGreaterThanOrEqual(2);
    expect(out.classes.map((c) => c.label.endsWith('simd+relaxed')).sort()).toEqual([false, true]);
    for (const c of out.classes) {
      expect(c.kernels.map((k) => k.genomeHash).sort()).toEqual(hashes);
      expect(c.kernels.every((k) => k.status === 'ok' && k.speedup! > 0)).toBe(true);
      expect(hashes).toContain(c.winner);
    }
    expect(out.pairs).toHaveLength(1);
    expect(out.pairs[0]!.kernels).toBe(hashes.length);
    expect(Math.abs(out.pairs[0]!.spearman!)).toBeLessThanOrEqual(1);
    expect(Math.abs(out.pairs[0]!.kendallTau!)).toBeLessThanOrEqual(1);

    const text = await kevo(['portability', '--problem', 'matmul', '--shape', '16x16x16', '--top', '2', '--rounds', '2', '--timing-ms', '5', '--nats', nats.url, '--db', nats.db]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/vs .*: Spearman (-?\d\.\d\d|-), Kendall tau (-?\d\.\d\d|-) over 2 kernels timed on both/);

    // The API reads the stored timings back as the same kind of report (the latest per kernel and class).
    const store = Store.openReadOnly(nats.db);
    try {
      const api = answer(store, '/api/portability', new URLSearchParams({ op: 'matmul', shape: '16x16x16' }));
      expect(api.status).toBe(200);
      expect((api.body as Report).classes.map((c) => c.id).sort()).toEqual(out.classes.map((c) => c.id).sort());
      expect(answer(store, '/api/portability', new URLSearchParams({ op: 'matmul' })).status).toBe(400);
    } finally {
      store.close();
    }
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    for (const done of stopped) expect((await done).code).toBe(0);
  }
});

it('refuses a kernel id together with --problem, and --problem without --shape: exit 2', async () => {
  const both = await kevo(['portability', 'abc', '--problem', 'matmul', '--shape', '8x8x8', '--db', nats.db]);
  expect(both.code).toBe(2);
  expect(both.stderr).toContain('give a kernel id or --problem with --shape, not both');
  const half = await kevo(['portability', '--problem', 'matmul', '--db', nats.db]);
  expect(half.code).toBe(2);
  expect(half.stderr).toContain('--shape: --problem and --shape go together');
});
