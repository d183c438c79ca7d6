import Database from 'better-sqlite3';
import { mkdtempSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../coordinator/store/store.ts';
import { job, okResult, problem64, wasmGenome } from '../coordinator/store/results.ts';
import { kevo, kevoInProcess } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'kevo-damaged-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A real kevo database whose evaluations table's root page (in the middle of the file) is overwritten with garbage. */
function damagedDatabase(): string {
  const path = join(dir, 'kevo.db');
  const store = Store.open(path);
  store.createCampaign({ id: 'c1', spec: { problems: [] }, strategy: 'genetic' });
  for (let i = 0; i < 40; i++) store.ingest(okResult(job(`j${i}`, 'c1', wasmGenome(1 + (i % 4)), problem64), { medianMs: 1 + i }));
  store.close();
  const db = new Database(path, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  const root = db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'evaluations'").pluck().get() as number;
  db.close();
  expect(root).toBeGreaterThan(1);
  expect(root).toBeLessThan(pages);
  const fd = openSync(path, 'r+');
  writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (root - 1) * pageSize);
  closeSync(fd);
  return path;
}

describe('a damaged database', () => {
  // Printed "kevo: unexpected failure: SqliteError: database disk image is malformed" and its stack (issue #16.7).
  it('best and campaign show: exit 1 with one line naming the file and what to do', async () => {
    const db = damagedDatabase();
    // The bin for best; the CLI's main() in process for campaign show.
    for (const args of [['best', 'matmul', '--shape', '64x64x64'], ['campaign', 'show', 'c1']]) {
      const result = args[0] === 'best' ? await kevo([...args, '--db', db]) : await kevoInProcess([...args, '--db', db]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toBe(
        `kevo: database "${db}" is damaged (database disk image is malformed): restore it from a backup, or salvage its rows with \`sqlite3 "${db}" .recover\`\n`,
      );
    }
  }, 60_000);
});
