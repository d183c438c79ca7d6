import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../coordinator/store/store.ts';
import { kevo, kevoInProcess } from '../helpers/cli.ts';
import { quickFlags, tinySuite, writeFile } from '../helpers/suite.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-suite-'));
const write = (name: string, value: unknown) => writeFile(dir, name, value);
const quick = quickFlags;

describe('kevo suite: bad input', () => {
  it('exits 2 naming the zod path of a bad suite file, or the flag, and writes nothing', async () => {
    const db = join(dir, 'bad.db');
    const square = tinySuite.categories[0]!.tasks[0]!;
    const bad = write('bad.json', { ...tinySuite, categories: [{ name: 'x', tasks: [square, { ...square, problem: { op: 'matmul', shape: { m: 0, n: 16, k: 16 } } }] }] });
    const cases: [string[], RegExp][] = [
      [['suite', 'run', bad], /suite ".*bad\.json": categories\.0\.tasks\.1\.problem\.shape\.m: expected a positive integer/],
      [['suite', 'run', write('v2.json', { ...tinySuite, version: 2 })], /version: expected 1/],
      [['suite', 'run', write('junk.json', '{ nope')], /is not valid JSON/],
      [['suite', 'run', write('ok.json', tinySuite), '--strategy', 'nope'], /^kevo: --strategy: /m],
      [['suite', 'run', join(dir, 'ok.json'), '--budget', '0'], /--budget: must be at least 1/],
    ];
    // The CLI's main() in process: test/cli/bad-input.test.ts spawns the bin for a bad spec file.
    for (const [args, message] of cases) {
      const run = await kevoInProcess([...args, '--db', db]);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(existsSync(db)).toBe(false);
    }
  });
});

describe('kevo suite run, report, compare, list', () => {
  it('runs every task as a campaign and reports per category; compare puts two runs side by side', async () => {
    const db = join(dir, 'kevo.db');
    const path = write('tiny.json', tinySuite);
    const first = await kevo(['suite', 'run', path, ...quick, '--db', db, '--json']);
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report).toMatchObject({ name: 'tiny', status: 'done', overall: { tasks: 2 } });
    expect(report.categories.map((c: { category: string; tasks: number }) => [c.category, c.tasks])).toEqual([['square', 1], ['fused', 1]]);
    // Every task found a verified kernel, and its best is the best of what its own campaign evaluated.
    expect(report.overall.correct).toBe(2);
    const store = Store.openReadOnly(db);
    for (const task of report.tasks) {
      expect(store.campaign(task.campaignId)).toMatchObject({ status: 'done', evaluations: 4, bestSpeedup: task.best.speedup });
    }
    store.close();
    const geomean = Math.exp(report.tasks.reduce((s: number, t: { best: { speedup: number } }) => s + Math.log(t.best.speedup), 0) / 2);
    expect(report.overall.geomeanSpeedup).toBeCloseTo(geomean, 9);

    // The queries through main() in process; the runs spawn the bin.
    const again = await kevoInProcess(['suite', 'report', report.id, '--db', db, '--json']);
    expect(JSON.parse(again.stdout)).toEqual(report);
    const text = await kevoInProcess(['suite', 'report', report.id, '--db', db]);
    expect(text.stdout).toMatch(/^category\s+tasks\s+correct\s+fast_1\s+fast_1\.5\s+fast_2\s+fast_4\s+geomean$/m);
    expect(text.stdout).toMatch(/^all\s+2\s+2 \(100%\)/m);

    const second = await kevo(['suite', 'run', path, ...quick, '--strategy', 'random', '--budget', '2', '--db', db, '--json']);
    expect(second.code, second.stderr).toBe(0);
    const other = JSON.parse(second.stdout);
    expect(other.options).toMatchObject({ strategy: 'random', evaluations: 2 });
    const compared = await kevoInProcess(['suite', 'compare', report.id, other.id, '--db', db, '--json']);
    const cmp = JSON.parse(compared.stdout);
    expect(cmp.categories.map((c: { category: string }) => c.category)).toEqual(['square', 'fused']);
    expect(cmp.overall.delta.correctness).toBeCloseTo(other.overall.correctness - report.overall.correctness, 12);
    const table = await kevoInProcess(['suite', 'compare', report.id, other.id, '--db', db]);
    expect(table.stdout).toMatch(/^square\s+1 -> 1 \(\+0\)/m);

    const list = JSON.parse((await kevoInProcess(['suite', 'list', '--db', db, '--json'])).stdout);
    expect(list.map((s: { id: string; done: number }) => [s.id, s.done])).toEqual([[other.id, 2], [report.id, 2]]);
  });
});
