import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bestOf, replay, summarizeTraces, tableOf } from '../../coordinator/replay.ts';
import { storedTable } from '../../coordinator/stored-table.ts';
import { parseSpec, specProblems } from '../../coordinator/spec.ts';
import { Store } from '../../coordinator/store/store.ts';
import { strategyNames } from '../../coordinator/strategies/index.ts';
import { spaceFor } from '../../genome/spaces.ts';
import { defaultWasmGenome } from '../../genome/wasm/baseline.ts';
import { resultFor } from '../../protocol/result.ts';
import { cpuDeviceClass } from '../../worker/device.ts';
import { kevo, kevoInProcess } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-replay-'));
const db = join(dir, 'kevo.db');
let campaign = '';

/**
 * The database's bytes and what its write-ahead log holds: replay must change neither. (A
 * read-only SQLite reader of a WAL database may leave an empty -wal and an -shm index behind.)
 */
function snapshot(): string {
  const wal = existsSync(`${db}-wal`) ? statSync(`${db}-wal`).size : 0;
  return `${createHash('sha256').update(readFileSync(db)).digest('hex')}, wal ${wal} bytes`;
}

beforeAll(async () => {
  // A real campaign: real WASM kernels verified and timed, stored as `kevo run` stores them.
  const run = await kevo(['run', 'matmul', '--shape', '12x8x6', '--budget', '24', '--population', '4', '--threads', '2', '--timing-ms', '20', '--no-relaxed-simd', '--seed', '3', '--promote', '0', '--json', '--db', db]);
  expect(run.code, run.stderr).toBe(0);
  campaign = JSON.parse(run.stdout).campaignId;
}, 180_000);

// The bin for the first replay; main() in process for the others (the same command without a node start each).
describe('kevo replay (spawning the bin)', () => {
  it('reports the best-found curves the shared replay computes on the same table and seeds, and writes nothing', async () => {
    const before = snapshot();
    const out = await kevo(['replay', '--campaign', campaign, '--seeds', '4', '--budget', '20', '--population', '4', '--json', '--db', db]);
    expect(out.code, out.stderr).toBe(0);
    expect(snapshot()).toBe(before);
    const report = JSON.parse(out.stdout);

    // What bench:search does with a stored sweep: read the campaign's table, replay in process.
    const store = Store.openReadOnly(db);
    const { space, table } = storedTable(store, { db, campaign });
    // and that table built here from the rows, the campaign's spec and device, as a check on the reading
    const row = store.campaign(campaign)!;
    const evaluations = store.evaluations(campaign);
    const device = store.resolveDevice(evaluations[0]!.deviceClassId!);
    store.close();
    const spec = parseSpec(row.spec);
    expect(table).toEqual(tableOf(evaluations));
    expect(space.name).toBe(`${spaceFor(specProblems(spec)[0]!, spec.backend, device).name} (stored table)`);
    expect(report).toMatchObject({ campaign, genomes: table.genomes.length, best: bestOf(table), budget: 20, seeds: [1, 2, 3, 4] });
    // every genome the campaign evaluated, each once
    expect(table.genomes.length).toBe(new Set(evaluations.map((e) => e.genomeHash)).size);
    expect(table.genomes.length).toBeGreaterThan(10);
    expect(report.strategies.map((s: { strategy: string }) => s.strategy)).toEqual(strategyNames);
    for (const [i, name] of strategyNames.entries()) {
      const traces = [];
      for (const seed of [1, 2, 3, 4]) traces.push(await replay(name, space, table, { seed, budget: 20, population: 4 }));
      expect(report.strategies[i].traces).toEqual(traces);
      expect(report.strategies[i]).toMatchObject(summarizeTraces(traces, bestOf(table), [2, 5, 10, 20], 0.95));
      for (const trace of traces) {
        expect(trace).toHaveLength(20);
        // best found never falls, and never beats what was stored
        expect(trace.every((f, j) => j === 0 || f >= trace[j - 1]!)).toBe(true);
        expect(Math.max(...trace)).toBeLessThanOrEqual(bestOf(table));
      }
    }
  });

  it('prints a table by default', async () => {
    const out = await kevoInProcess(['replay', '--campaign', campaign, '--seeds', '2', '--db', db]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^\d+ genomes stored \(\d+ failed\), best \d+\.\d\dx; 2 seeds/);
    for (const name of strategyNames) expect(out.stdout).toMatch(new RegExp(`^${name}\\s+[0-9.]+`, 'm'));
    expect(out.stdout).toMatch(/to 95%/);
  });

  it.each([
    [['--seeds', '0'], '--seeds: must be at least 1'],
    [['--budget', 'ten'], '--budget: expected an integer'],
    [['--strategy', 'random,annealing'], '--strategy: expected a comma-separated list'],
    [['--shape', '1x2'], '--shape:'],
    [['--shape', '4x4x4'], '--shape: campaign'],
    [['--population', '1'], '--population: must be at least 2'],
  ])('bad input %j exits 2 naming the flag, writing nothing', async (args, message) => {
    const before = snapshot();
    const out = await kevoInProcess(['replay', '--campaign', campaign, ...args, '--db', db]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(message);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(snapshot()).toBe(before);
  });

  it('an unknown campaign or a missing database is one line, exit 2, and creates no file', async () => {
    const unknown = await kevoInProcess(['replay', '--campaign', 'c-nope', '--db', db]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--campaign: no campaign "c-nope"');
    const missing = await kevoInProcess(['replay', '--campaign', campaign, '--db', join(dir, 'none.db')]);
    expect(missing.code).toBe(2);
    expect(readdirSync(dir)).not.toContain('none.db');
  });

  it('a campaign with nothing verified to replay is one line, exit 2', async () => {
    const failedDb = join(dir, 'failed.db');
    const store = Store.open(failedDb);
    const deviceClass = await cpuDeviceClass();
    const problem = { op: 'matmul' as const, shape: { m: 8, n: 8, k: 8 }, dtype: 'f32' as const };
    store.createCampaign({ id: 'c-failed', spec: parseSpec({ problems: [{ op: 'matmul', shape: '8x8x8' }] }), strategy: 'genetic' });
    const genome = defaultWasmGenome(problem);
    store.ingest(resultFor({ jobId: 'j1', campaignId: 'c-failed', problem, genome }, { status: 'compile_error', stage: 'smoke', reason: 'smoke: does not assemble', verdicts: [], deviceClass, worker: 'test', elapsedMs: 1 }));
    store.close();
    const out = await kevoInProcess(['replay', '--campaign', 'c-failed', '--db', failedDb]);
    expect(out.code).toBe(2);
    expect(out.stderr.trim()).toBe('kevo: campaign "c-failed" has no verified, timed evaluations to replay');
  });
});
