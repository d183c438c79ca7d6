/**
 * Transport throughput: trivial jobs and 50 ms jobs through the embedded
 * transport and through NATS on loopback (a private nats-server), with one and
 * with two worker processes. Jobs are evaluated by the tests' SleepEvaluator
 * (no kernel work), so this measures the transport, not the kernels.
 *
 *   npm run bench:transport [-- --quick]
 */
import { EmbeddedTransport } from '../coordinator/transport/embedded.ts';
import { NatsTransport } from '../coordinator/transport/nats.ts';
import type { Transport } from '../coordinator/transport/transport.ts';
import type { Result } from '../protocol/result.ts';
import { NatsServer, uniquePrefix } from '../testkit/nats-server.ts';
import { testJob } from '../testkit/test-job.ts';
import { SleepEvaluator } from '../testkit/sleep-evaluator.ts';
import { WorkerChild } from '../testkit/worker-child.ts';

const quick = process.argv.includes('--quick');

interface Load {
  readonly label: string;
  readonly jobs: number;
  readonly timingMs: number;
  /** Jobs each worker (or the embedded pool) runs at once. */
  readonly threads: number;
}

const LOADS: Load[] = [
  { label: 'trivial', jobs: quick ? 4_000 : 20_000, timingMs: 1, threads: 32 },
  { label: '50 ms', jobs: quick ? 320 : 960, timingMs: 50, threads: 16 },
];

/** Jobs per second from the first submit to the last first result; duplicates (redeliveries) are counted apart. */
async function throughput(
  transport: Transport,
  results: AsyncIterator<Result>,
  load: Load,
  count = load.jobs,
): Promise<{ perSecond: number; duplicates: number }> {
  const campaignId = uniquePrefix('bench');
  const jobs = Array.from({ length: count }, (_, i) => testJob(campaignId, i, load.timingMs));
  const seen = new Set<string>();
  let duplicates = 0;
  const started = performance.now();
  const collected = (async () => {
    while (seen.size < jobs.length) {
      const next = await results.next();
      if (next.done) throw new Error('results ended early');
      if (seen.has(next.value.jobId)) duplicates++;
      seen.add(next.value.jobId);
    }
  })();
  // Publish in flight and await together: awaiting each publish alone caps at a few thousand a second.
  for (let i = 0; i < jobs.length; i += 500) await Promise.all(jobs.slice(i, i + 500).map((job) => transport.submit(job)));
  await collected;
  return { perSecond: jobs.length / ((performance.now() - started) / 1000), duplicates };
}

async function embedded(load: Load, workers: number): Promise<number> {
  const transport = new EmbeddedTransport(new SleepEvaluator('embedded'), load.threads * workers);
  try {
    return (await throughput(transport, transport.results()[Symbol.asyncIterator](), load)).perSecond;
  } finally {
    await transport.close();
  }
}

async function nats(server: NatsServer, load: Load, workers: number): Promise<number> {
  const prefix = uniquePrefix('bench');
  const transport = await NatsTransport.open({ servers: server.url }, { prefix });
  const children = await Promise.all(
    Array.from({ length: workers }, (_, i) =>
      WorkerChild.start({ url: server.url, name: `${prefix}-w${i}`, threads: load.threads, topology: { prefix }, announceJobs: false }),
    ),
  );
  try {
    // Warm-up: a worker's threads start spread over its routes (its device class, any wasm) and settle,
    // within one pull's wait (1 s), on the route that has jobs; time the steady state after that.
    const results = transport.results()[Symbol.asyncIterator]();
    await throughput(transport, results, load, load.threads * workers * 4);
    const { perSecond, duplicates } = await throughput(transport, results, load);
    if (duplicates > 0) console.warn(`  (${duplicates} duplicate results: redeliveries)`);
    return perSecond;
  } finally {
    await Promise.all(children.map((c) => c.kill('SIGTERM')));
    await transport.close();
  }
}

const server = await NatsServer.start();
try {
  const rows: string[] = [];
  for (const load of LOADS) {
    const embedded1 = await embedded(load, 1);
    const embedded2 = await embedded(load, 2);
    const nats1 = await nats(server, load, 1);
    const nats2 = await nats(server, load, 2);
    rows.push(
      `| ${load.label} (${load.jobs} jobs, ${load.threads} threads/worker) | ${embedded1.toFixed(0)} | ${embedded2.toFixed(0)} | ${nats1.toFixed(0)} | ${nats2.toFixed(0)} | ${(nats1 / embedded1).toFixed(2)} | ${(nats2 / embedded2).toFixed(2)} | ${(nats2 / nats1).toFixed(2)} |`,
    );
  }
  console.log('jobs/s, from first submit to last result');
  console.log('| load | embedded, 1 pool | embedded, 2x threads | NATS, 1 worker | NATS, 2 workers | NATS/embedded (1) | NATS/embedded (2) | NATS 2 workers / 1 |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
} finally {
  await server.dispose();
}
