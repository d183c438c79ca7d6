import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../coordinator/store/store.ts';
import { answer } from '../../serve/api.ts';
import { writeTestModels } from '../../testkit/onnx-models.ts';
import { buildModel } from '../../onnx/build.ts';
import { kevo, kevoInProcess } from '../helpers/cli.ts';
import { checkMlpReport, quick, type Report } from '../helpers/tune-report.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-tune-'));
const models = writeTestModels(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kevo tune', () => {
  it('tunes the MLP embedded on a tiny budget: report, outputs matching onnxruntime-web, stored for the API', async () => {
    const db = join(dir, 'embedded.db');
    const run = await kevo(['tune', models.mlp, ...quick, '--db', db]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.transport).toBe('embedded');
    checkMlpReport(report);
    const store = Store.openReadOnly(db);
    try {
      const list = answer(store, '/api/tune-reports', new URLSearchParams());
      expect(list.status).toBe(200);
      expect((list.body as { id: string }[]).map((r) => r.id)).toEqual([report.id]);
      const one = answer(store, `/api/tune-reports/${report.id}`, new URLSearchParams());
      expect((one.body as { report: Report }).report.nodes).toEqual(report.nodes);
      expect(answer(store, '/api/tune-reports/t-nope', new URLSearchParams()).status).toBe(404);
    } finally {
      store.close();
    }
  }, 120_000);

  it('tunes a MatMulInteger model as matmul u8i8, its i32 output exactly onnxruntime-web\'s', async () => {
    const run = await kevo(['tune', models.integer, ...quick, '--db', join(dir, 'integer.db')]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.nodes).toEqual([expect.objectContaining({ ops: 'MatMulInteger', problem: 'matmul:16x32x64:u8i8', kernelId: expect.any(String) })]);
    expect(report.measured.outputs).toEqual([expect.objectContaining({ output: 'y', maxError: 0, tolerance: 0 })]);
    expect(report.measured.outputsMatch).toBe(true);
  }, 120_000);

  const bad: [string, string, RegExp][] = [
    ['not ONNX', 'text.onnx', /<model> ".*text\.onnx": not an ONNX model/],
    ['truncated', 'cut.onnx', /not an ONNX model \(truncated/],
    ['missing', 'missing.onnx', /cannot read \(ENOENT\)/],
    ['dynamic dims', 'dynamic.onnx', /input "x" dim 0 is dynamic \("batch"\): give it a value with --dim batch=N/],
    ['int64 input', 'int64.onnx', /input "x" is int64: kevo feeds float32, uint8 and int8 inputs/],
  ];
  it.each(bad)('exits 2 on a bad model (%s), naming it, and writes nothing', async (_, name, message) => {
    writeFileSync(join(dir, 'text.onnx'), 'hello, not a model');
    writeFileSync(join(dir, 'cut.onnx'), readFileSync(models.mlp).subarray(0, 4000));
    writeFileSync(join(dir, 'dynamic.onnx'), buildModel({ inputs: [{ name: 'x', dtype: 'float32', dims: ['batch', 4] }], outputs: [{ name: 'y', dtype: 'float32', dims: ['batch', 4] }], nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }] }));
    writeFileSync(join(dir, 'int64.onnx'), buildModel({ inputs: [{ name: 'x', dtype: 'int64', dims: [4] }], outputs: [{ name: 'y', dtype: 'int64', dims: [4] }], nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }] }));
    const db = join(dir, `${name}.db`);
    // The bin for the first; the CLI's main() in process for the rest (the same checks without a node start each).
    const args = ['tune', join(dir, name), '--db', db];
    const run = name === 'text.onnx' ? await kevo(args) : await kevoInProcess(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(existsSync(db)).toBe(false);
  });

  it('exits 2 on a bad flag, naming it', async () => {
    const run = await kevoInProcess(['tune', models.mlp, '--dim', 'batch', '--db', join(dir, 'flag.db')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--dim.*expected NAME=N/);
  });
});
