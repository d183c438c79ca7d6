import { describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { natsNames } from '../../../protocol/nats/topology.ts';
import { expectEachJobOnce, faultFixture } from './fault-fixture.ts';
import { testJob } from '../../../testkit/test-job.ts';

const setUp = faultFixture();

describe('NATS faults', () => {
  it('redelivers the job of a worker killed mid-job to another worker', async () => {
    const current = await setUp(5);
    const { run, startWorker } = current;
    const jobs = Array.from({ length: 6 }, (_, i) => testJob(current.prefix, i, 200));
    const doomed = await startWorker('doomed');
    await run.submit(jobs);
    const started = await doomed.waitFor((line) => line.event === 'started');
    await doomed.kill('SIGKILL');
    const survivor = await startWorker('survivor', 2);
    await run.untilDone();
    expectEachJobOnce(run, jobs.map((j) => j.jobId));
    const redone = run.results.find((r) => r.jobId === started.jobId)!;
    expect(redone.worker).toBe(`${current.prefix}-survivor`);
    expect(survivor.lines.some((l) => l.event === 'started' && l.jobId === started.jobId)).toBe(true);
  });

  it('turns a job whose deliveries ran out into a stored dead_letter result, and removes it from the queue', async () => {
    const current = await setUp(1);
    const { run, startWorker, prefix, server } = current;
    const jobs = [testJob(prefix, 0, 30_000), testJob(prefix, 1, 1), testJob(prefix, 2, 1)];
    const doomed = await startWorker('doomed');
    await run.submit(jobs.slice(0, 1));
    await doomed.waitFor((line) => line.event === 'started');
    await doomed.kill('SIGKILL');
    await run.submit(jobs.slice(1));
    await startWorker('survivor');
    await run.untilDone();
    expectEachJobOnce(run, jobs.map((j) => j.jobId));
    const dead = run.results.find((r) => r.jobId === jobs[0]!.jobId)!;
    expect(dead.status).toBe('dead_letter');
    expect(dead.reason).toMatch(/max_deliver/);
    // The job is deleted only after its dead_letter result is stored, so the campaign can see the result first.
    const nc = await connect({ servers: server.url });
    const jsm = await jetstreamManager(nc);
    const queued = async () => (await jsm.streams.info(natsNames(prefix).jobsStream)).state.messages;
    await expect.poll(queued, { timeout: 10_000, interval: 100 }).toBe(0);
    await nc.close();
  });
});
