import { existsSync } from 'node:fs';
import { Store } from '../coordinator/store/store.ts';
import { KevoError } from '../lib/errors.ts';

/** For commands that only read: the database must already exist (opening would create an empty one). */
export function openExistingStore(path: string): Store {
  if (!existsSync(path)) throw new KevoError('NOT_FOUND', `no database at "${path}" (run a campaign first, or pass --db)`);
  return Store.open(path);
}

export function withStore<T>(path: string, fn: (store: Store) => T): T {
  const store = openExistingStore(path);
  try {
    return fn(store);
  } finally {
    store.close();
  }
}
