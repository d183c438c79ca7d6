/**
 * Coordinator memory over a long campaign: a 100k-evaluation random campaign
 * with a trivial evaluator over NATS (testkit/soak.ts), printing the
 * coordinator's RSS and heap every 10k evaluations. It should stay flat.
 *
 *   npm run bench:soak [-- --evaluations 20000 --every 2000]
 *
 * Run with --expose-gc (the npm script does) to collect garbage before each
 * sample, so the heap figure is what is retained.
 */
import { parseArgs } from 'node:util';
import { soakCampaign } from '../testkit/soak.ts';

const { values } = parseArgs({ options: { evaluations: { type: 'string', default: '100000' }, every: { type: 'string', default: '10000' } } });
const positive = (flag: 'evaluations' | 'every'): number => {
  const n = Number(values[flag]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} "${values[flag]}": expected a positive integer`);
  return n;
};
const evaluations = positive('evaluations');
const EVERY = positive('every');
const gc = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

console.log('| evaluations | RSS MB | heap used MB | heap total MB | external MB | seconds |');
console.log('|---:|---:|---:|---:|---:|---:|');
const started = performance.now();
let next = 0;
const sample = (done: number) => {
  gc?.();
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  console.log(`| ${done} | ${mb(rss)} | ${mb(heapUsed)} | ${mb(heapTotal)} | ${mb(external)} | ${((performance.now() - started) / 1000).toFixed(0)} |`);
};
const run = await soakCampaign({
  evaluations,
  population: 1_000,
  threads: 32,
  onGeneration: ({ evaluated: done }) => {
    if (done < next) return;
    next = done + EVERY - (done % EVERY);
    sample(done);
  },
});
sample(run.evaluations);
console.log(`${run.evaluations} evaluations, ${run.failures} failures, status ${run.status}`);
