import Database from 'better-sqlite3';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { KevoError } from '../../lib/errors.ts';
import { latestVersion, migrate, refuseNewer, userVersion } from './migrations.ts';

/**
 * Opening a database file, for writing (created and migrated) or for reading
 * (never written, never migrated), and naming what is wrong with a file that
 * will not do: the user's to fix (BAD_INPUT, NOT_FOUND) or damaged (FAILURE).
 */

/** How long a write waits for another process's write to finish before failing with "database is locked". */
const BUSY_TIMEOUT_MS = 15_000;

/** A database copied into memory when SQLite cannot share the file read-only: more is refused, not loaded. */
const MAX_SNAPSHOT_BYTES = 1024 ** 3;

/** Opens (creating if needed) and migrates to the latest schema. */
export function openForWriting(path: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    // Other campaigns and readers on the same file (kevo best, kevo serve) are waited for, not failed on;
    // set first, so that switching a fresh file to WAL waits too.
    db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    refuseForeign(db, path);
    switchToWal(db);
    // WAL with synchronous=NORMAL cannot corrupt; a power cut may lose the last commits, which resume redoes.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
  } catch (error) {
    db?.close();
    throw refusal(path, error);
  }
  try {
    migrate(db);
  } catch (error) {
    db.close();
    if (error instanceof KevoError) throw error;
    throw damaged(path, error) ??
      new KevoError('FAILURE', `cannot migrate database "${path}" to version ${latestVersion}: ${messageOf(error)}`, { cause: error });
  }
  return db;
}

/**
 * Switching a file to WAL needs it to itself: when another process holds it (two
 * campaigns opening a fresh file at once), SQLite answers BUSY at once, without
 * its busy handler, so we wait here, bounded like every other write.
 */
function switchToWal(db: Database.Database): void {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if (!(error instanceof Database.SqliteError && error.code === 'SQLITE_BUSY') || Date.now() > deadline) throw error;
      Atomics.wait(pause, 0, 0, 10);
    }
  }
}

/**
 * For commands that only read: the file must exist and already be a kevo database at the
 * latest schema. Nothing is written, so another user's file or a read-only mount will do.
 */
export function openForReading(path: string): Database.Database {
  requireExisting(path);
  if (!statSync(path).isFile()) throw new KevoError('BAD_INPUT', `cannot open database "${path}": not a file`);
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
    userVersion(db);
  } catch (error) {
    db?.close();
    if (!needsWritableDirectory(error)) throw refusal(path, error);
    db = snapshot(path);
  }
  try {
    requireLatest(db, path);
    return db;
  } catch (error) {
    db.close();
    throw refusal(path, error);
  }
}

/** For commands that use what a database holds: opening a path with nothing there would create an empty one. */
export function requireExisting(path: string): void {
  if (!existsSync(path)) throw new KevoError('NOT_FOUND', `no database at "${path}" (run a campaign first, or pass --db)`);
}

/** SQLite's word that a file's pages are damaged, as one line saying what to do; undefined for any other error. */
export function damaged(path: string, error: unknown): KevoError | undefined {
  if (!(error instanceof Database.SqliteError) || !error.code.startsWith('SQLITE_CORRUPT')) return undefined;
  return new KevoError(
    'FAILURE',
    `database "${path}" is damaged (${error.message}): restore it from a backup, or salvage its rows with \`sqlite3 "${path}" .recover\``,
    { cause: error },
  );
}

function refusal(path: string, error: unknown): KevoError {
  if (error instanceof KevoError) return error;
  if (error instanceof Database.SqliteError && error.code === 'SQLITE_NOTADB') {
    return new KevoError('BAD_INPUT', `"${path}" is not a kevo database (${error.message})`, { cause: error });
  }
  return damaged(path, error) ?? new KevoError('BAD_INPUT', `cannot open database "${path}": ${messageOf(error)}`, { cause: error });
}

/** A file with tables and no kevo schema belongs to something else: adopting it would write kevo's tables (and WAL) into it. */
function refuseForeign(db: Database.Database, path: string): void {
  // One read transaction: another process may migrate the file between a bare read of the version and the count.
  const tables = db.transaction(() =>
    userVersion(db) === 0 ? (db.prepare("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").pluck().get() as number) : 0,
  )();
  if (tables > 0) throw new KevoError('BAD_INPUT', `"${path}" is not a kevo database: it holds ${tables} tables and indexes of something else`);
}

function requireLatest(db: Database.Database, path: string): void {
  const found = userVersion(db);
  if (found === 0) {
    throw new KevoError('BAD_INPUT', `"${path}" is not a kevo database (${statSync(path).size === 0 ? 'an empty file' : 'no kevo schema'}): pass --db the file a campaign wrote`);
  }
  if (found < latestVersion) {
    throw new KevoError(
      'BAD_INPUT',
      `database "${path}" is at schema version ${found} and this kevo reads version ${latestVersion}: a writing command migrates it, e.g. \`kevo campaign resume <id> --db ${path}\``,
    );
  }
  refuseNewer(found);
}

/**
 * A WAL database whose directory we may not write (another user's, a read-only mount) cannot
 * be opened even read-only: SQLite needs to create its -shm file beside it.
 */
function needsWritableDirectory(error: unknown): boolean {
  return error instanceof Database.SqliteError && ['SQLITE_CANTOPEN', 'SQLITE_READONLY_DIRECTORY', 'SQLITE_READONLY_CANTINIT'].includes(error.code);
}

/**
 * The file read into memory, read-only. Sound only when no -wal file holds commits the file
 * lacks: nobody can be writing it, since a writer would need that same directory.
 */
function snapshot(path: string): Database.Database {
  const wal = `${path}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0) {
    throw new KevoError('UNAVAILABLE', `cannot read database "${path}": its write-ahead log needs a directory we may write; copy ${path} and ${wal} somewhere writable`);
  }
  const size = statSync(path).size;
  if (size > MAX_SNAPSHOT_BYTES) {
    throw new KevoError('UNAVAILABLE', `cannot read database "${path}" in place (its directory is read-only) and at ${size} bytes it is too big to copy into memory; copy it somewhere writable`);
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new KevoError('BAD_INPUT', `cannot open database "${path}": ${messageOf(error)}`, { cause: error });
  }
  // Header bytes 18 and 19 say WAL (2); an in-memory database reads the same pages as a rollback-journal one (1).
  if (bytes.length >= 20 && bytes[18] === 2 && bytes[19] === 2) bytes.fill(1, 18, 20);
  return new Database(bytes, { readonly: true });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
