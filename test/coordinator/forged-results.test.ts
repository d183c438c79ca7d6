import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { expect, it } from 'vitest';
import { natsFixture } from '../helpers/nats-fixture.ts';
import { Store } from '../../coordinator/store/store.ts';
import { familyOf } from '../../genome/families/registry.ts';
import type { KernelJob } from '../../protocol/job.ts';
import { resultFor, type KernelResult } from '../../protocol/result.ts';
import { collect, evaluationsReach, kevo, logLine, startKevo } from '../helpers/cli.ts';

const nats = natsFixture('forged');
const { db } = nats;

const FORGED_GFLOPS = 99_999;
const NO_OP = '(module (import "env" "memory" (memory 1)) (func (export "matmul") (param i32 i32 i32 i32)))';

/** What a client allowed to publish results could claim: ok, at 99999 GFLOP/s. */
function forged(job: Pick<KernelJob, 'jobId' | 'campaignId' | 'problem' | 'genome'>, worker: string, text: string): KernelResult {
  return resultFor(job, {
    status: 'ok',
    verdicts: [],
    timing: { medianMs: 1e-6, p10Ms: 1e-6, p90Ms: 1e-6, samples: 5, gflops: FORGED_GFLOPS, baselineMedianMs: 1, baselineGflops: 1, speedup: 1e6 },
    kernel: { language: 'wat', text },
    worker,
    elapsedMs: 1,
  });
}

it('results a worker did not make for a pending job are refused, logged and never ranked', async () => {
  const worker = startKevo(['worker', '--nats', nats.url, '--threads', '1', '--name', 'honest', '--log-level', 'info']);
  const workerDone = collect(worker);
  await logLine(worker, (line) => line.msg === 'worker ready');
  const coordinator = startKevo(['run', 'matmul', '--shape', '16x16x16', '--nats', nats.url, '--budget', '8', '--population', '4', '--timing-ms', '300', '--promote', '0', '--log-level', 'info', '--json', '--db', db]);
  const done = collect(coordinator);
  const nc = await connect({ servers: nats.url });
  try {
    const campaignId = await evaluationsReach(db, 1);
    const store = Store.open(db);
    const answered = store.evaluations(campaignId)[0]!;
    // The last submitted: the worker (one thread) reaches them last, so they are still pending when the forgeries land.
    const [second, first] = store.pendingJobs(campaignId).reverse();
    store.close();
    expect(second, 'two jobs still pending while the results are forged').toBeDefined();
    const honestText = familyOf(first!.problem, first!.genome).code(first!.genome, first!.problem).text;
    const js = jetstream(nc);
    const publish = (result: KernelResult) => js.publish(`kevo.results.${campaignId}`, JSON.stringify(result));
    await publish(forged({ ...first!, jobId: 'j-never-published' }, 'honest#1', honestText));
    await publish(forged({ jobId: answered.jobId, campaignId, problem: first!.problem, genome: answered.genome }, 'honest#1', honestText));
    await publish(forged(first!, 'mallory', honestText));
    await publish(forged(second!, 'honest#1', NO_OP));

    const run = await done;
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).best.gflops).toBeLessThan(FORGED_GFLOPS);
    // Each refusal is logged with the job, the worker and why.
    const refusals = run.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => String(line.msg).startsWith('refused a result'))
      .map((line) => `${String(line.jobId)} ${String(line.worker)}: ${String(line.msg)} ${String(line.reason ?? '')}`);
    const refused = (jobId: string, worker: string, why: RegExp) => refusals.some((line) => line.startsWith(`${jobId} ${worker}: `) && why.test(line));
    expect(refused('j-never-published', 'honest#1', /no pending job of this campaign has its id/), refusals.join('\n')).toBe(true);
    expect(refused(answered.jobId, 'honest#1', /no pending job of this campaign has its id/), refusals.join('\n')).toBe(true);
    expect(refused(first!.jobId, 'mallory', /that worker was never seen live/), refusals.join('\n')).toBe(true);
    expect(refused(second!.jobId, 'honest#1', /its kernel is not the job's/), refusals.join('\n')).toBe(true);

    const after = Store.open(db);
    try {
      const evaluations = after.evaluations(campaignId);
      expect(evaluations.some((e) => e.jobId === 'j-never-published')).toBe(false);
      expect(evaluations.filter((e) => e.jobId === answered.jobId)).toHaveLength(1);
      for (const job of [first!, second!]) expect(evaluations.find((e) => e.jobId === job.jobId)).toMatchObject({ status: 'rejected', stage: 'acceptance' });
      expect(evaluations.every((e) => (e.timing?.gflops ?? 0) < FORGED_GFLOPS)).toBe(true);
    } finally {
      after.close();
    }
    const best = await kevo(['best', 'matmul', '--shape', '16x16x16', '--db', db, '--json']);
    expect(best.code, best.stderr).toBe(0);
    expect((JSON.parse(best.stdout) as { gflops: number }[]).every((row) => row.gflops < FORGED_GFLOPS)).toBe(true);
  } finally {
    await nc.close();
    coordinator.kill('SIGTERM');
    worker.kill('SIGTERM');
    await Promise.all([done, workerDone]);
  }
});
