/**
 * A NATS worker as a real child process, for fault tests: argv[2] is its
 * JSON config. It logs JSON lines on stdout (pino) and one line
 * {"event":"started","jobId":...} as each job starts, so a test can kill it
 * in the middle of a job.
 */
import { pino } from 'pino';
import { runNatsWorker } from '../worker/nats/worker.ts';
import { SleepEvaluator } from './sleep-evaluator.ts';

const config = JSON.parse(process.argv[2]!) as {
  url: string;
  name: string;
  threads: number;
  topology: { prefix: string; ackWaitMs?: number; maxDeliver?: number };
  announceJobs?: boolean;
};
const log = pino({ level: 'info' }, pino.destination({ dest: 1, sync: true }));
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());

const evaluator = new SleepEvaluator(config.name, (job) => {
  if (config.announceJobs !== false) process.stdout.write(`${JSON.stringify({ event: 'started', jobId: job.jobId })}\n`);
});
await runNatsWorker({
  connection: { servers: config.url, reconnectTimeWait: 250 },
  evaluator,
  options: { ...config.topology, name: config.name, threads: config.threads, drainMs: 5_000 },
  log,
  signal: stop.signal,
});
