import { damaged, requireExisting } from '../coordinator/store/open.ts';
import { Store } from '../coordinator/store/store.ts';

/** For commands that go on with what a database holds (resume): it must exist (opening would create an empty one); it is migrated. */
export function openExistingStore(path: string): Store {
  requireExisting(path);
  return Store.open(path);
}

/**
 * For commands that only read: the database opened read-only (never created, migrated or
 * written), and a damaged one reported as one line naming the file, not a stack.
 */
export function withStore<T>(path: string, fn: (store: Store) => T): T {
  const store = Store.openReadOnly(path);
  try {
    return fn(store);
  } catch (error) {
    throw damaged(path, error) ?? error;
  } finally {
    store.close();
  }
}
