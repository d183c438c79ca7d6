import { describe, expect, it } from 'vitest';
import { planSuite } from '../../../coordinator/suite/plan.ts';
import { DEFAULT_SUITE_PATH, loadSuiteFile, parseSuite, type SuiteFile } from '../../../coordinator/suite/suite-file.ts';
import { KevoError } from '../../../lib/errors.ts';
import { Problem } from '../../../genome/ops/index.ts';
import '../../genome/families/toy-family.ts';

const task = (shape: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ problem: { op: 'matmul', shape, ...extra }, budget: { evaluations: 4 } });
const suiteWith = (tasks: unknown[], more: Record<string, unknown> = {}) => ({ version: 1, name: 't', categories: [{ name: 'square', tasks }], ...more });
const message = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(KevoError);
    expect((error as KevoError).code).toBe('BAD_INPUT');
    return (error as Error).message;
  }
  throw new Error('expected BAD_INPUT');
};

describe('suite files', () => {
  it('name the zod path, task index included, of what is wrong', () => {
    expect(message(() => parseSuite(suiteWith([task({ m: 2, n: 2, k: 2 }), task({ m: 0, n: 2, k: 2 })])))).toMatch(/categories\.0\.tasks\.1\.problem\.shape\.m: expected a positive integer/);
    expect(message(() => parseSuite(suiteWith([{ problem: { op: 'nope', shape: {} }, budget: { evaluations: 1 } }])))).toMatch(/categories\.0\.tasks\.0\.problem\.op: unknown op "nope"/);
    expect(message(() => parseSuite(suiteWith([task({ m: 2, n: 2, k: 2 }, { epilogue: ['gelu', 'bias'] })])))).toMatch(/categories\.0\.tasks\.0\.problem\.epilogue/);
    expect(message(() => parseSuite(suiteWith([{ problem: { op: 'matmul', shape: { m: 2, n: 2, k: 2 } } }])))).toMatch(/categories\.0\.tasks\.0\.budget/);
    expect(message(() => parseSuite(suiteWith([task({ m: 2, n: 2, k: 2 })], { version: 2 })))).toMatch(/^invalid suite: version: expected 1/);
    expect(message(() => parseSuite(suiteWith([task({ m: 2, n: 2, k: 2 }), task({ m: 2, n: 2, k: 2 })])))).toMatch(/categories\.0\.tasks\.1\.name: task "matmul:2x2x2:f32" is named twice/);
    expect(message(() => parseSuite(suiteWith([{ ...task({ m: 65536, n: 65536, k: 2 }), backend: 'webgpu' }])))).toMatch(/categories\.0\.tasks\.0\.problem\.shape: too big for webgpu/);
    expect(message(() => parseSuite(suiteWith([]))) ).toMatch(/categories\.0\.tasks: /);
  });

  it('ship a default suite of at least 30 tasks in at least 5 categories', () => {
    const suite = loadSuiteFile(DEFAULT_SUITE_PATH);
    const tasks = suite.categories.flatMap((c) => c.tasks);
    expect(suite.categories.length).toBeGreaterThanOrEqual(5);
    expect(tasks.length).toBeGreaterThanOrEqual(30);
    expect(tasks.some((t) => t.backend === 'webgpu')).toBe(true);
    expect(tasks.some((t) => Problem.parse(t.problem).shape.m === 1)).toBe(true);
    // Every task plans as a campaign spec: the campaign machinery takes every problem the suite has.
    expect(planSuite(suite, {}, 'default suite', () => undefined)).toHaveLength(tasks.length);
  });
});

describe('planSuite', () => {
  const suite: SuiteFile = parseSuite({
    version: 1,
    name: 'plan',
    categories: [
      { name: 'a', tasks: [task({ m: 8, n: 8, k: 8 }, { epilogue: ['bias', 'relu'] }), { ...task({ m: 4, n: 4, k: 4 }), backend: 'webgpu', name: 'gpu' }] },
      { name: 'b', tasks: [{ ...task({ m: 1, n: 16, k: 16 }), budget: { seconds: 3 } }] },
    ],
  });
  const flags = (path: string) => ({ strategy: '--strategy', population: '--population' })[path];

  it('makes one campaign spec per task: the problem as written, the task backend over the run, the run budget over the task', () => {
    const plan = planSuite(suite, { backend: 'wasm', strategy: 'random', population: 4 }, 'suite', flags);
    expect(plan.map((t) => [t.category, t.name, t.spec.backend, t.spec.strategy])).toEqual([
      ['a', 'matmul:8x8x8:f32:bias+relu', 'wasm', 'random'],
      ['a', 'gpu', 'webgpu', 'random'],
      ['b', 'matmul:1x16x16:f32', 'wasm', 'random'],
    ]);
    expect(plan[0]!.spec.problems).toEqual([{ op: 'matmul', shape: '8x8x8', epilogue: ['bias', 'relu'] }]);
    expect(plan.map((t) => t.spec.budget)).toEqual([{ evaluations: 4 }, { evaluations: 4 }, { seconds: 3 }]);
    const quick = planSuite(suite, { evaluations: 2 }, 'suite', flags);
    expect(quick.map((t) => t.spec.budget)).toEqual([{ evaluations: 2 }, { evaluations: 2 }, { evaluations: 2 }]);
  });

  it("passes a task's dtype to its campaign's spec, which names the task when no family runs it on the backend", () => {
    // every built-in op and dtype has a family on both backends; the toy op has a WASM one only
    const toy = parseSuite(suiteWith([{ problem: { op: 'vadd', shape: { rows: 4, cols: 8 } }, budget: { evaluations: 4 } }]));
    expect(message(() => planSuite(toy, { backend: 'webgpu' }, 'suite', flags))).toMatch(/^invalid suite: categories\.0\.tasks\.0: problems\.0\.dtype: no kernel family runs vadd f32 on backend webgpu/);
  });

  it('names the flag behind a bad run setting, and the task behind a spec the campaign refuses', () => {
    expect(message(() => planSuite(suite, { strategy: 'nope' }, 'suite', flags))).toMatch(/^--strategy: /);
    expect(message(() => planSuite(suite, { evaluations: 0 }, 'suite', flags))).toMatch(/^--budget: /);
    // What the campaign spec refuses for one task (too big for the run's backend) is that task's, by its path.
    const big = parseSuite(suiteWith([task({ m: 2, n: 2, k: 2 }), task({ m: 65536, n: 65536, k: 2 })]));
    expect(message(() => planSuite(big, { backend: 'webgpu' }, 'suite "x.json"', flags))).toMatch(/^invalid suite "x\.json": categories\.0\.tasks\.1: problems\.0\.shape: .*too big for webgpu/);
  });
});
