import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../coordinator/store/store.ts';
import { createInterface } from 'node:readline';
import { NatsServer } from '../../testkit/nats-server.ts';
import { collect, kevo, kevoInProcess, logLine, startKevo, startServe } from '../helpers/cli.ts';

const TOKEN = 'serve-test-token-0123456789';
let dir: string;
let db: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'kevo-serve-'));
  db = join(dir, 'kevo.db');
  const store = Store.open(db);
  store.createCampaign({ id: 'c1', spec: {}, strategy: 'random' });
  store.close();
});
afterAll(async () => {
  await nats?.dispose();
  rmSync(dir, { recursive: true, force: true });
});
let nats: NatsServer | undefined;

describe('kevo serve, safe by default', () => {
  it('refuses a host other than loopback without a token: exit 2, saying so', async () => {
    const run = await kevo(['serve', '--db', db, '--port', '0', '--host', '0.0.0.0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--host 0\.0\.0\.0 is reachable from other machines: give --token \(or KEVO_SERVE_TOKEN\)/);
    const short = await kevoInProcess(['serve', '--db', db, '--port', '0', '--token', 'short']);
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

describe('kevo serve --nats', () => {
  it('lists the live workers from their heartbeats, with their device classes', async () => {
    nats = await NatsServer.start();
    const worker = startKevo(['worker', '--nats', nats.url, '--threads', '1', '--name', 'heartbeating', '--no-relaxed-simd', '--log-level', 'info']);
    const workerDone = collect(worker);
    await logLine(worker, (line) => line.msg === 'worker ready');
    const { child: serve, base } = await startServe(db, 'warn', ['--nats', nats.url]);
    const served = collect(serve);
    try {
      const answer = await (await fetch(`${base}api/workers`)).json();
      expect(answer).toMatchObject({ source: 'nats', workers: [{ name: 'heartbeating', backends: ['wasm'], threads: 1 }] });
      expect(answer.workers[0].deviceClasses[0].label).toMatch(/simd/);
    } finally {
      serve.kill('SIGTERM');
      worker.kill('SIGTERM');
    }
    expect((await served).code).toBe(0);
    await workerDone;
  }, 60_000);

  it('without --nats, says it has no source of live workers; stops on SIGTERM while a page follows a campaign', async () => {
    const { child: serve, base } = await startServe(db);
    const served = collect(serve);
    expect(await (await fetch(`${base}api/workers`)).json()).toEqual({ source: 'none', workers: [] });
    const following = await fetch(`${base}api/campaigns/c1/events`);
    expect(following.status).toBe(200);
    serve.kill('SIGTERM');
    expect((await served).code).toBe(0);
  });
});
