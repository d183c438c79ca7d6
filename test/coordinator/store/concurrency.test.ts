import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { latestVersion } from '../../../coordinator/store/migrations.ts';
import { Store } from '../../../coordinator/store/store.ts';
import { CHILD_EXEC_ARGV } from '../../../lib/runtime.ts';
import { collect } from '../../helpers/cli.ts';

const storeProcess = fileURLToPath(new URL('./store-process.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kevo-store-race-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts one store-process.ts per argument list, lets them all go at once, and asserts each finished. */
async function together(argLists: readonly string[][]): Promise<void> {
  const children = argLists.map((args) => spawn(process.execPath, [...CHILD_EXEC_ARGV, storeProcess, ...args], { stdio: ['pipe', 'pipe', 'pipe'] }));
  const ready = children.map((child) => new Promise<void>((resolve) => createInterface({ input: child.stdout! }).once('line', () => resolve())));
  const results = children.map((child) => collect(child));
  await Promise.all(ready);
  for (const child of children) child.stdin!.end('go\n');
  for (const result of await Promise.all(results)) {
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('done');
  }
}

describe('one database, several processes', () => {
  // Each used to read user_version 0 and run migration 1 itself: "table campaigns already exists",
  // or "index evaluations_best already exists" for one that read it between two steps (issue #16.2).
  it('a fresh file is migrated exactly once, and every process opens it', async () => {
    for (let trial = 0; trial < 2; trial++) {
      const path = join(dir, `fresh-${trial}.db`);
      await together(Array.from({ length: 5 }, () => [path]));
      const db = new Database(path, { readonly: true });
      expect(db.pragma('user_version', { simple: true })).toBe(latestVersion);
      db.close();
    }
  }, 120_000);

  // A deferred transaction that read and then wrote got "database is locked" at once when
  // another process had written in between, busy_timeout notwithstanding (issue #16.2).
  it('4 writers interleaving read-then-write transactions all finish, no row lost', async () => {
    const path = join(dir, 'shared.db');
    Store.open(path).close();
    const perWriter = 150;
    await together(['w1', 'w2', 'w3', 'w4'].map((id) => [path, id, String(perWriter)]));
    const store = Store.open(path);
    try {
      for (const id of ['w1', 'w2', 'w3', 'w4']) expect(store.evaluations(id)).toHaveLength(perWriter);
    } finally {
      store.close();
    }
  }, 120_000);
});
