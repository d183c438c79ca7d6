import Database from 'better-sqlite3';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { latestVersion } from '../../../coordinator/store/migrations.ts';
import { Store } from '../../../coordinator/store/store.ts';
import { job, okResult, wasmGenome } from './results.ts';
import { useTempStore } from './temp-store.ts';

const t = useTempStore();

describe('open', () => {
  it('creates a WAL database at the latest schema version', () => {
    const db = new Database(t.path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion);
    db.close();
  });

  it('reopens a database without migrating it again, data intact', () => {
    t.store.createCampaign({ id: 'c1', spec: { a: 1 }, strategy: 'random' });
    t.store.close();
    const again = Store.open(t.path);
    expect(again.campaign('c1')?.spec).toEqual({ a: 1 });
    again.close();
  });

  it('opens an in-memory database for callers that need no file', () => {
    const memory = Store.open(':memory:');
    memory.createCampaign({ id: 'c1', spec: {}, strategy: 'random' });
    expect(memory.campaigns().map((c) => c.id)).toEqual(['c1']);
    memory.close();
  });

  it('close() is safe to call twice', () => {
    t.store.close();
    expect(() => t.store.close()).not.toThrow();
  });

  it('an unopenable path is BAD_INPUT naming it, and creates nothing', () => {
    const missing = join(t.dir, 'no', 'such', 'kevo.db');
    expect(() => Store.open(missing)).toThrow(
      expect.objectContaining({ code: 'BAD_INPUT', message: expect.stringContaining(`cannot open database "${missing}": `) }),
    );
    const directory = join(t.dir, 'a-directory');
    mkdirSync(directory);
    expect(() => Store.open(directory)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    expect(readdirSync(directory)).toEqual([]);
    expect(readdirSync(t.dir).sort()).toEqual(['a-directory', 'kevo.db', 'kevo.db-shm', 'kevo.db-wal']);
  });

  it('a file that is not a database is BAD_INPUT and left as it was', () => {
    const notes = join(t.dir, 'notes.txt');
    const text = 'not a database, just some notes that are long enough to have a header\n'.repeat(20);
    writeFileSync(notes, text);
    expect(() => Store.open(notes)).toThrow(expect.objectContaining({ code: 'BAD_INPUT', message: expect.stringContaining(notes) }));
    expect(readFileSync(notes, 'utf8')).toBe(text);
    expect(readdirSync(t.dir).filter((f) => f.startsWith('notes'))).toEqual(['notes.txt']);
  });

  it('refuses a database from a newer kevo', () => {
    t.store.close();
    const db = new Database(t.path);
    db.pragma(`user_version = ${latestVersion + 1}`);
    db.close();
    expect(() => Store.open(t.path)).toThrow(expect.objectContaining({ code: 'BAD_INPUT', message: expect.stringContaining('newer') }));
  });
});

describe('rows read back', () => {
  function corrupt(sql: string) {
    const db = new Database(t.path);
    db.exec(sql);
    db.close();
  }

  it('a genome that no longer fits its schema fails as FAILURE naming the row and field', () => {
    t.store.createCampaign({ id: 'c1', spec: {}, strategy: 'random' });
    t.store.ingest(okResult(job('j1', 'c1', wasmGenome(1)), { medianMs: 2 }));
    corrupt(`UPDATE genomes SET genome = json_set(genome, '$.mr', 99)`);
    expect(() => t.store.evaluations('c1')).toThrow(
      expect.objectContaining({ code: 'FAILURE', message: expect.stringMatching(/^corrupt row in evaluations 1: genome/) }),
    );
  });

  it('a spec that is not JSON, or device facts of the wrong shape, fail as FAILURE', () => {
    t.store.createCampaign({ id: 'c1', spec: {}, strategy: 'random' });
    t.store.ingest(okResult(job('j1', 'c1', wasmGenome(1)), { medianMs: 2 }));
    corrupt(`UPDATE campaigns SET spec = '{oops'; UPDATE devices SET facts = json_remove(facts, '$.cores')`);
    expect(() => t.store.campaign('c1')).toThrow(expect.objectContaining({ code: 'FAILURE', message: expect.stringContaining('spec: not valid JSON') }));
    expect(() => t.store.devices()).toThrow(expect.objectContaining({ code: 'FAILURE', message: expect.stringContaining('facts') }));
  });

  it('an unknown status or a job that no longer parses fails as FAILURE', () => {
    t.store.createCampaign({ id: 'c1', spec: {}, strategy: 'random' });
    t.store.recordJob(job('j1', 'c1', wasmGenome(1)));
    t.store.ingest(okResult(job('j2', 'c1', wasmGenome(2)), { medianMs: 2 }));
    corrupt(`UPDATE jobs SET job = json_set(job, '$.seed', -1); UPDATE evaluations SET status = 'maybe'`);
    expect(() => t.store.pendingJobs('c1')).toThrow(expect.objectContaining({ code: 'FAILURE', message: expect.stringContaining('job.seed') }));
    expect(() => t.store.evaluations('c1')).toThrow(expect.objectContaining({ code: 'FAILURE', message: expect.stringContaining('status') }));
  });
});

describe('openReadOnly', () => {
  it('reads what a writer stored, and cannot write', () => {
    t.store.createCampaign({ id: 'c1', spec: {}, strategy: 'random' });
    const reader = Store.openReadOnly(t.path);
    try {
      expect(reader.campaigns().map((c) => c.id)).toEqual(['c1']);
      expect(() => reader.createCampaign({ id: 'c2', spec: {}, strategy: 'random' })).toThrow(/readonly/);
    } finally {
      reader.close();
    }
  });

  it('refuses what it would have to create, adopt or migrate, leaving the file as it was', () => {
    const missing = join(t.dir, 'missing.db');
    expect(() => Store.openReadOnly(missing)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(readdirSync(t.dir)).not.toContain('missing.db');
    const empty = join(t.dir, 'empty.db');
    writeFileSync(empty, '');
    expect(() => Store.openReadOnly(empty)).toThrow(expect.objectContaining({ code: 'BAD_INPUT', message: expect.stringContaining('an empty file') }));
    expect(readFileSync(empty)).toHaveLength(0);
    const old = join(t.dir, 'old.db');
    copyFileSync(new URL('./fixtures/kevo-v1.db', import.meta.url), old);
    expect(() => Store.openReadOnly(old)).toThrow(expect.objectContaining({ code: 'BAD_INPUT', message: expect.stringContaining('schema version 1') }));
    const db = new Database(old, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    db.close();
  });
});
