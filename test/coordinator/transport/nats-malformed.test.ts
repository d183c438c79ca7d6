import { describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { natsNames } from '../../../protocol/nats/topology.ts';
import { expectEachJobOnce, faultFixture } from './fault-fixture.ts';
import { testJob } from '../../../testkit/test-job.ts';
import { failureFor } from '../../../protocol/result.ts';

const setUp = faultFixture();

describe('NATS bad messages', () => {
  it('rejects malformed and oversized messages on the jobs and results subjects without crashing', async () => {
    const current = await setUp(5);
    const { run, startWorker, prefix, logLines, server } = current;
    const worker = await startWorker('sturdy');
    const nc = await connect({ servers: server.url });
    const jobsSubject = `${prefix}.jobs.any.wasm`;
    const newerVersion = { ...testJob(prefix, 100), v: 2 };
    const oversized = { ...testJob(prefix, 101), padding: 'x'.repeat(990_000) };
    const resultsSubject = natsNames(prefix).resultsSubject(prefix);
    nc.publish(jobsSubject, 'not json {');
    nc.publish(jobsSubject, JSON.stringify(newerVersion));
    nc.publish(jobsSubject, JSON.stringify(oversized));
    nc.publish(resultsSubject, 'not json {');
    nc.publish(resultsSubject, JSON.stringify({ kind: 'kernel', jobId: 'nobody' }));
    // A batch with one bad Result: the good one beside it still counts.
    const answered = failureFor(testJob(prefix, 102), { status: 'runtime_error', stage: 'worker', reason: 'batched', worker: 'other' });
    nc.publish(resultsSubject, JSON.stringify([{ kind: 'kernel', jobId: 'nobody' }, answered]));
    await nc.flush();
    await nc.close();
    // The recoverable ones come back as failures addressed to their jobs; good jobs still flow.
    run.store.recordJob(testJob(prefix, 100));
    run.store.recordJob(testJob(prefix, 101));
    run.store.recordJob(testJob(prefix, 102));
    const good = [testJob(prefix, 0), testJob(prefix, 1)];
    await run.submit(good);
    await run.untilDone();
    expectEachJobOnce(run, [...good.map((j) => j.jobId), `${prefix}-job-100`, `${prefix}-job-101`, `${prefix}-job-102`]);
    expect(run.results.find((r) => r.jobId === `${prefix}-job-102`)).toMatchObject({ reason: 'batched' });
    for (const id of [`${prefix}-job-100`, `${prefix}-job-101`]) {
      expect(run.results.find((r) => r.jobId === id)).toMatchObject({ status: 'unsupported', stage: 'protocol' });
    }
    expect(run.results.find((r) => r.jobId === `${prefix}-job-101`)!.reason).toMatch(/bytes; at most/);
    expect(worker.lines.filter((l) => l.msg === 'rejected a job message')).toHaveLength(3);
    // Not JSON: the whole message goes. A lone bad Result, and the bad one of the batch: each goes alone.
    expect(logLines.filter((l) => l.msg === 'dropped a malformed result message')).toHaveLength(1);
    expect(logLines.filter((l) => l.msg === 'dropped a malformed result')).toEqual([
      expect.objectContaining({ reason: expect.stringMatching(/^0\./) }),
      expect.objectContaining({ reason: expect.stringMatching(/^0\./) }),
    ]);
    await worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });
});
