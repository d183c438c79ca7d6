import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { writeTestModels } from '../../testkit/onnx-models.ts';
import { collect, kevo, startKevo } from '../helpers/cli.ts';
import { natsFixture } from '../helpers/nats-fixture.ts';
import { checkMlpReport, quick, type Report } from '../helpers/tune-report.ts';

const nats = natsFixture('tune-nats');
const dir = mkdtempSync(join(tmpdir(), 'kevo-tune-nats-'));
const models = writeTestModels(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('kevo tune --nats runs its campaign on a NATS worker, re-verifies the best here, and checks the model against onnxruntime-web', async () => {
  const worker = startKevo(['worker', '--nats', nats.url, '--threads', '1', '--name', 'tune-worker', '--log-level', 'warn']);
  const workerDone = collect(worker);
  try {
    const run = await kevo(['tune', models.mlp, ...quick, '--nats', nats.url, '--db', nats.db]);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.transport).toBe('nats');
    checkMlpReport(report);
  } finally {
    worker.kill('SIGTERM');
    await workerDone;
  }
}, 120_000);
