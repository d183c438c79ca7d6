import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { Store } from '../../coordinator/store/store.ts';
import { suiteTasks } from '../../coordinator/store/suites.ts';
import { collect, kevo, kevoInProcess, startKevo } from '../helpers/cli.ts';
import { quickFlags, taskEvaluationsReach, tinySuite, writeFile } from '../helpers/suite.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-suite-resume-'));
const db = join(dir, 'kevo.db');

it('a suite killed mid-task resumes as a whole: finished tasks are not run again, the interrupted one goes on from its checkpoint', async () => {
  // The second task is long enough to be caught in the middle.
  const [square, fused] = tinySuite.categories;
  const suite = { ...tinySuite, categories: [square, { ...fused!, tasks: [{ ...fused!.tasks[0]!, budget: { evaluations: 12 } }] }] };
  const child = startKevo(['suite', 'run', writeFile(dir, 'suite.json', suite), ...quickFlags, '--seed', '3', '--db', db]);
  const killed = collect(child);
  const suiteId = await taskEvaluationsReach(db, 1, 2);
  child.kill('SIGKILL');
  await killed;

  const before = Store.openReadOnly(db);
  const [first, second] = suiteTasks(before, suiteId);
  expect(first!.status).toBe('done');
  expect(second!.status).not.toBe('done');
  const firstEvaluations = before.evaluations(first!.campaignId).map((e) => e.jobId);
  before.close();

  const resumed = await kevo(['suite', 'resume', suiteId, '--db', db, '--json']);
  expect(resumed.code, resumed.stderr).toBe(0);
  const report = JSON.parse(resumed.stdout);
  expect(report).toMatchObject({ id: suiteId, status: 'done', overall: { tasks: 2, correct: 2 } });

  const after = Store.openReadOnly(db);
  expect(after.evaluations(first!.campaignId).map((e) => e.jobId)).toEqual(firstEvaluations);
  const evaluations = after.evaluations(second!.campaignId);
  expect(evaluations).toHaveLength(12);
  expect(new Set(evaluations.map((e) => e.genomeHash)).size).toBe(12);
  expect(after.pendingJobs(second!.campaignId)).toEqual([]);
  expect(suiteTasks(after, suiteId).map((t) => t.status)).toEqual(['done', 'done']);
  after.close();

  // A second resume through the CLI's main() in process (the bin resumed above).
  const again = await kevoInProcess(['suite', 'resume', suiteId, '--db', db, '--json']);
  expect(again.code, again.stderr).toBe(0);
  expect(JSON.parse(again.stdout).tasks).toEqual(report.tasks);
});

it('Ctrl-C stops a suite after what is running, exit 130, with its report so far and how to resume', async () => {
  const interruptedDb = join(dir, 'interrupted.db');
  const [square] = tinySuite.categories;
  const suite = { ...tinySuite, categories: [{ ...square!, tasks: [{ ...square!.tasks[0]!, budget: { evaluations: 40 } }] }] };
  const child = startKevo(['suite', 'run', writeFile(dir, 'long.json', suite), ...quickFlags, '--db', interruptedDb]);
  const done = collect(child);
  const suiteId = await taskEvaluationsReach(interruptedDb, 0, 2);
  child.kill('SIGINT');
  const run = await done;
  expect(run.code, run.stderr).toBe(130);
  expect(run.stderr).toContain(`resume with \`kevo suite resume ${suiteId}\``);
  expect(run.stdout).toMatch(new RegExp(`^suite ${suiteId} \\(tiny\\) stopped: 1 tasks in 1 categories`, 'm'));
  const store = Store.openReadOnly(interruptedDb);
  expect(suiteTasks(store, suiteId).map((t) => t.status)).toEqual(['stopped']);
  store.close();
});
