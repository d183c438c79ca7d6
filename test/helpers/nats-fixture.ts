import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { NatsServer } from '../../testkit/nats-server.ts';

/**
 * One nats-server and one temp folder (with a kevo.db path in it) for a CLI
 * test file: started before its tests, stopped and removed after them.
 */
export function natsFixture(name: string): { readonly url: string; readonly dir: string; readonly db: string } {
  const dir = mkdtempSync(join(tmpdir(), `kevo-${name}-`));
  let server: NatsServer | undefined;
  beforeAll(async () => {
    server = await NatsServer.start();
  });
  afterAll(async () => {
    await server?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get url() {
      if (!server) throw new Error('natsFixture: the server starts in beforeAll');
      return server.url;
    },
    dir,
    db: join(dir, 'kevo.db'),
  };
}
