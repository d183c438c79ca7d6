import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../coordinator/store/store.ts';
import { collect, evaluationsReach, kevo, startKevo } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-resume-'));
const db = join(dir, 'kevo.db');


describe('kevo campaign start, Ctrl-C, resume', () => {
  it('stops on SIGINT keeping what finished, and resume completes without repeating it', async () => {
    const spec = join(dir, 'spec.json');
    writeFileSync(
      spec,
      JSON.stringify({ problems: [{ op: 'matmul', shape: '24x24x24' }], budget: { evaluations: 16 }, population: 4, threads: 2, seed: 11, timing: { timingMs: 40 }, promote: 0 }),
    );
    const child = startKevo(['campaign', 'start', spec, '--db', db]);
    const done = collect(child);
    const campaignId = await evaluationsReach(db, 2);
    child.kill('SIGINT');
    const stopped = await done;
    expect(stopped.code, stopped.stderr).toBe(130);

    const store = Store.open(db);
    expect(store.campaign(campaignId)!.status).toBe('stopped');
    const before = store.evaluations(campaignId).length;
    store.close();

    const resumed = await kevo(['campaign', 'resume', campaignId, '--db', db, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const out = JSON.parse(resumed.stdout);
    expect(out.status).toBe('done');

    const after = Store.open(db);
    const all = after.evaluations(campaignId);
    expect(all.length).toBe(before + out.evaluations);
    expect(new Set(all.map((e) => e.genomeHash)).size).toBe(all.length);
    expect(after.pendingJobs(campaignId)).toEqual([]);
    expect(after.campaign(campaignId)!.status).toBe('done');
    after.close();
  });
});
