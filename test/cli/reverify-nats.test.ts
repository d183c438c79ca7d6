import { expect, it } from 'vitest';
import { Store } from '../../coordinator/store/store.ts';
import { HARNESS_VERSION } from '../../verifiers/version.ts';
import { natsFixture } from '../helpers/nats-fixture.ts';
import { storeStaleKernels } from '../helpers/stale-kernels.ts';
import { collect, kevo, logLine, startKevo } from '../helpers/cli.ts';

const nats = natsFixture('reverify-nats');
const problem = { op: 'matmul', shape: { m: 8, n: 8, k: 8 }, dtype: 'f32' } as const;
/** Writes nothing: C stays poisoned; a laxer harness 1 is said to have passed it. */
const NO_OP = '(module (import "env" "memory" (memory 1)) (func (export "matmul") (param i32 i32 i32 i32))) ;; passed by harness 1';

it('kevo reverify --nats runs the harness on live workers: the stale no-op now fails there, the honest kernel stands', async () => {
  const run = await kevo(['run', 'matmul', '--shape', '8x8x8', '--budget', '2', '--population', '2', '--threads', '1', '--timing-ms', '10', '--promote', '0', '--db', nats.db, '--json']);
  expect(run.code, run.stderr).toBe(0);
  const honestId = JSON.parse(run.stdout).best.kernelId as string;
  const store = Store.open(nats.db);
  let staleId: string;
  try {
    staleId = storeStaleKernels(store, problem, [NO_OP, store.kernel(honestId)!.text]);
  } finally {
    store.close();
  }

  const worker = startKevo(['worker', '--nats', nats.url, '--threads', '1', '--name', 'judge', '--log-level', 'debug']);
  const stopped = collect(worker);
  try {
    await logLine(worker, (line) => line.msg === 'worker ready');
    const judged = logLine(worker, (line) => line.msg === 'evaluated' && String(line.jobId).startsWith('reverify-'));
    const reverify = await kevo(['reverify', '--campaign', 'c-old', '--nats', nats.url, '--db', nats.db, '--json']);
    expect(reverify.code, reverify.stderr).toBe(0);
    // The worker process judged it, not the command.
    expect(await judged).toMatchObject({ status: 'rejected', stage: 'smoke' });
    expect(JSON.parse(reverify.stdout).kernels).toEqual([
      expect.objectContaining({ kernelId: staleId, ok: false, status: 'rejected', stage: 'smoke', from: 1 }),
      expect.objectContaining({ kernelId: honestId, ok: true, from: 1 }),
    ]);
    const after = Store.openReadOnly(nats.db);
    try {
      expect(after.evaluations('c-old').map((e) => [e.kernelId, e.status, e.harnessVersion])).toEqual([
        [staleId, 'rejected', HARNESS_VERSION],
        [honestId, 'ok', HARNESS_VERSION],
      ]);
    } finally {
      after.close();
    }
  } finally {
    worker.kill('SIGTERM');
    expect((await stopped).code).toBe(0);
  }
});
