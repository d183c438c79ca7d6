import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../coordinator/store/store.ts';
import { collect, kevo, startKevo } from '../helpers/cli.ts';
import { createInterface } from 'node:readline';

const TOKEN = 'serve-test-token-0123456789';
let dir: string;
let db: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kevo-serve-'));
  db = join(dir, 'kevo.db');
  Store.open(db).close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kevo serve, safe by default', () => {
  it('refuses a host other than loopback without a token: exit 2, saying so', async () => {
    const run = await kevo(['serve', '--db', db, '--port', '0', '--host', '0.0.0.0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--host 0\.0\.0\.0 is reachable from other machines: give --token \(or KEVO_SERVE_TOKEN\)/);
    const short = await kevo(['serve', '--db', db, '--port', '0', '--token', 'short']);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/--token: expected at least 16 characters/);
  });

  it('with KEVO_SERVE_TOKEN on 0.0.0.0, serves only requests that carry it', async () => {
    const child = startKevo(['serve', '--db', db, '--port', '0', '--host', '0.0.0.0', '--log-level', 'warn'], { env: { KEVO_SERVE_TOKEN: TOKEN } });
    const done = collect(child);
    const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
    expect(line).toMatch(/\/login\?token=TOKEN/);
    const base = `http://127.0.0.1:${/:(\d+)\//.exec(line)![1]}`;
    expect((await fetch(`${base}/api/campaigns`)).status).toBe(401);
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/api/campaigns`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
  });
});
