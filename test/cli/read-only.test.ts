import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '../../coordinator/store/store.ts';
import { familyOf } from '../../genome/families/registry.ts';
import { latestVersion } from '../../coordinator/store/migrations.ts';
import { job, okResult, problem64, wasmGenome } from '../coordinator/store/results.ts';
import { collect, KEVO_BIN, kevo, kevoInProcess } from '../helpers/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'kevo-read-only-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A kevo database closed cleanly (no -wal or -shm beside it), with one campaign and one verified kernel. */
function kevoDatabase(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'kevo.db');
  const store = Store.open(path);
  store.createCampaign({ id: 'c1', spec: { problems: [] }, strategy: 'genetic' });
  // The real kernel text: `kevo best` runs the best's stored text through the harness before listing it.
  store.ingest(okResult(job('j1', 'c1', wasmGenome(2), problem64), { medianMs: 2, text: familyOf(problem64, wasmGenome(2)).code(wasmGenome(2), problem64).text }));
  store.close();
  return path;
}

const readingCommands = (db: string) => [
  ['campaign', 'list', '--db', db],
  ['campaign', 'show', 'c1', '--db', db],
  ['best', 'matmul', '--shape', '64x64x64', '--db', db],
  ['prompts', 'list', '--db', db],
];

/** Every reading command against db exits 0 and shows campaign c1 where it lists campaigns. */
async function readsFine(db: string, run: (args: string[]) => Promise<{ code: number | null; stdout: string; stderr: string }>) {
  for (const args of readingCommands(db)) {
    const result = await run(args);
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    if (args[0] === 'campaign') expect(result.stdout).toContain('c1');
    if (args[0] === 'best') expect(result.stdout).toMatch(/wasm mr=2/);
  }
}

const isRoot = process.getuid?.() === 0;

describe('reading commands never write', () => {
  // "attempt to write a readonly database" (issue #16.6): root ignores file modes, so as root the
  // commands run as nobody, as they would for a user reading another user's database.
  it("read another user's database they may not write", async () => {
    const dir = join(root, 'theirs');
    const db = kevoDatabase(dir);
    const before = readFileSync(db);
    if (isRoot) {
      chmodSync(root, 0o755);
      chmodSync(dir, 0o755);
      chmodSync(db, 0o644);
    } else {
      chmodSync(dir, 0o555);
      chmodSync(db, 0o444);
    }
    const run = (args: string[]) =>
      collect(
        isRoot
          ? spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, KEVO_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: '/tmp' } })
          : spawn(process.execPath, [KEVO_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }),
      );
    await readsFine(db, run);
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['kevo.db']);
    chmodSync(dir, 0o755);
  }, 120_000);

  const mountable = isRoot && spawnSync('mount', ['--version']).status === 0;
  it.skipIf(!mountable)('read a database on a read-only mount (needs root for the bind mount)', async () => {
    const db = kevoDatabase(join(root, 'src'));
    const mnt = join(root, 'mnt');
    mkdirSync(mnt);
    const mounted = spawnSync('mount', ['--bind', '-o', 'ro', join(root, 'src'), mnt]);
    expect(mounted.status, String(mounted.stderr)).toBe(0);
    try {
      await readsFine(join(mnt, 'kevo.db'), kevo);
    } finally {
      spawnSync('umount', [mnt]);
    }
    expect(readdirSync(join(root, 'src'))).toEqual(['kevo.db']);
    expect(Store.openReadOnly(db).campaigns()).toHaveLength(1);
  }, 120_000);

  it('refuse an empty file or another program\'s SQLite file with one line, leaving it byte for byte', async () => {
    const dir = join(root, 'foreign');
    mkdirSync(dir);
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    const theirs = join(dir, 'theirs.sqlite');
    const other = new Database(theirs);
    other.exec("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine')");
    other.close();
    const bytes = readFileSync(theirs);
    const everyReader = (db: string) => [...readingCommands(db), ['serve', '--port', '0', '--db', db]];
    for (const [db, why, commands] of [[empty, 'an empty file', everyReader(empty)], [theirs, 'no kevo schema', everyReader(theirs).slice(0, 1)]] as const) {
      // The bin for the first command on each file; the CLI's main() in process for the rest.
      for (const [i, args] of commands.entries()) {
        const result = i === 0 ? await kevo(args) : await kevoInProcess(args);
        expect(result.code, args.join(' ')).toBe(2);
        expect(result.stderr).toBe(`kevo: "${db}" is not a kevo database (${why}): pass --db the file a campaign wrote\n`);
      }
    }
    // A writing command does not adopt another program's file either.
    const run = await kevo(['run', 'matmul', '--shape', '4x4x4', '--budget', '1', '--db', theirs]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/is not a kevo database: it holds 1 tables/);
    expect(readFileSync(empty)).toHaveLength(0);
    expect(readFileSync(theirs).equals(bytes)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['empty.db', 'theirs.sqlite']);
  }, 120_000);

  it('say that a database at an older schema needs migrating, and which command does it, without migrating it', async () => {
    const db = join(root, 'old.db');
    copyFileSync(new URL('../coordinator/store/fixtures/kevo-v1.db', import.meta.url), db);
    const bytes = readFileSync(db);
    const result = await kevo(['campaign', 'list', '--db', db]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `kevo: database "${db}" is at schema version 1 and this kevo reads version ${latestVersion}: a writing command migrates it, e.g. \`kevo campaign resume <id> --db ${db}\`\n`,
    );
    expect(readFileSync(db).equals(bytes)).toBe(true);
    // The command named does migrate it (the v1 spec then fails to parse, which is beside the point).
    await kevo(['campaign', 'resume', 'v1-campaign', '--db', db]);
    const listed = await kevo(['campaign', 'list', '--db', db]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain('v1-campaign');
  }, 120_000);
});
