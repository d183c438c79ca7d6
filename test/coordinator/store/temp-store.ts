import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { Store } from '../../../coordinator/store/store.ts';

/** A fresh database file (WAL, on disk) per test, removed after it; `path` for tests that open it raw. */
export function useTempStore(): { readonly store: Store; readonly path: string; readonly dir: string } {
  const current = { store: undefined as unknown as Store, path: '', dir: '' };
  beforeEach(() => {
    current.dir = mkdtempSync(join(tmpdir(), 'kevo-store-'));
    current.path = join(current.dir, 'kevo.db');
    current.store = Store.open(current.path);
  });
  afterEach(() => {
    current.store.close();
    rmSync(current.dir, { recursive: true, force: true });
  });
  return current;
}
