import { describe, expect, it } from 'vitest';
import { compareReports, reportOf, suiteReport, summarize, type TaskOutcome } from '../../../coordinator/suite/report.ts';
import { planSuite } from '../../../coordinator/suite/plan.ts';
import { createSuiteRun } from '../../../coordinator/suite/run.ts';
import { parseSuite } from '../../../coordinator/suite/suite-file.ts';
import { suiteTasks } from '../../../coordinator/store/suites.ts';
import { cpuDevice, job, okResult, problem64, rejectedResult, wasmGenome } from '../store/results.ts';
import { useTempStore } from '../store/temp-store.ts';

const outcome = (category: string, speedup: number | undefined): TaskOutcome => ({
  category,
  name: `${category}-${speedup}`,
  campaignId: 'c',
  status: 'done',
  backend: 'wasm',
  best: speedup === undefined ? undefined : { kernelId: 'k', speedup, gflops: 1, medianMs: 1 },
});

describe('suite metrics', () => {
  it("are KernelBench's: fast_p over all tasks (an incorrect task counts against it), the geomean over correct tasks", () => {
    const tasks = [outcome('x', 0.5), outcome('x', 1.5), outcome('x', 4), outcome('x', undefined)];
    const r = summarize('x', tasks);
    expect(r).toMatchObject({ tasks: 4, correct: 3, correctness: 0.75 });
    // More than p times the baseline: exactly 1.5x is not fast_1.5, exactly 4x not fast_4.
    expect(r.fastP).toEqual({ '1': 0.5, '1.5': 0.25, '2': 0.25, '4': 0 });
    expect(r.geomeanSpeedup).toBeCloseTo(Math.cbrt(0.5 * 1.5 * 4), 12);
    expect(summarize('none', [outcome('none', undefined)])).toMatchObject({ correct: 0, correctness: 0, geomeanSpeedup: null, fastP: { '1': 0 } });
  });

  it('report per category in suite order and over all tasks; compare gives deltas and the geomean ratio', () => {
    const meta = { id: 's', name: 'n', status: 'done' as const, createdAt: '', options: {} };
    const a = reportOf(meta, [outcome('b', 2), outcome('a', undefined)]);
    expect(a.categories.map((c) => c.category)).toEqual(['b', 'a']);
    expect(a.overall).toMatchObject({ tasks: 2, correct: 1, correctness: 0.5 });
    const b = reportOf({ ...meta, id: 't' }, [outcome('b', 3), outcome('a', 1.2), outcome('c', 1)]);
    const cmp = compareReports(a, b);
    expect(cmp.categories.map((c) => c.category)).toEqual(['b', 'a', 'c']);
    // 2x is not more than 2x; 3x is.
    expect(cmp.categories[0]!.delta).toMatchObject({ correctness: 0, fastP: { '1': 0, '1.5': 0, '2': 1, '4': 0 } });
    expect(cmp.categories[0]!.delta!.geomeanRatio).toBeCloseTo(1.5, 12);
    expect(cmp.categories[1]!.delta).toMatchObject({ correctness: 1, fastP: { '1': 1 }, geomeanRatio: null });
    expect(cmp.categories[2]!.delta).toBeUndefined();
    expect(cmp.overall.delta!.correctness).toBeCloseTo(1 - 0.5);
  });
});

describe('suiteReport over the store', () => {
  const t = useTempStore();

  it("takes each task's best from the genomes its own campaign proposed, store hits included", () => {
    const suite = parseSuite({ version: 1, name: 'r', categories: [{ name: 'sq', tasks: [{ problem: { op: 'matmul', shape: { m: 64, n: 64, k: 64 } }, budget: { evaluations: 2 } }] }] });
    const one = createSuiteRun(t.store, suite, planSuite(suite, {}, 'suite', () => undefined), {});
    const two = createSuiteRun(t.store, suite, planSuite(suite, {}, 'suite', () => undefined), {});
    const [c1] = suiteTasks(t.store, one).map((x) => x.campaignId);
    const [c2] = suiteTasks(t.store, two).map((x) => x.campaignId);
    expect(suiteReport(t.store, one)).toMatchObject({ status: 'stopped', overall: { tasks: 1, correct: 0 } });

    // Campaign 1 evaluates a fast genome (5x) and a wrong one; campaign 2 evaluates a slower one (2x)
    // and takes the wrong one from the store. Neither sees the other's verified kernel.
    for (const [campaign, genome] of [[c1!, wasmGenome(2)], [c1!, wasmGenome(3)], [c2!, wasmGenome(4)], [c2!, wasmGenome(3)]] as const) {
      t.store.recordGenome({ genome, campaignId: campaign, parents: [], operator: 'seed' });
    }
    t.store.ingest(okResult(job('j1', c1!, wasmGenome(2), problem64), { medianMs: 2 }));
    t.store.ingest(rejectedResult(job('j2', c1!, wasmGenome(3), problem64)));
    t.store.ingest(okResult(job('j3', c2!, wasmGenome(4), problem64), { medianMs: 5 }));
    for (const id of [c1!, c2!]) t.store.updateCampaign(id, { status: 'done', deviceClassId: cpuDevice.id });

    const first = suiteReport(t.store, one);
    expect(first.status).toBe('done');
    expect(first.tasks[0]!.best!.speedup).toBe(5);
    expect(suiteReport(t.store, two).tasks[0]!.best!.speedup).toBe(2);
    // A genome campaign 2 takes from the store is its own result: now it has the 5x kernel too.
    t.store.recordGenome({ genome: wasmGenome(2), campaignId: c2!, parents: [], operator: 'seed' });
    expect(suiteReport(t.store, two).tasks[0]!.best!.speedup).toBe(5);
  });
});
