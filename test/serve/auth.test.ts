import type { Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/log.ts';
import { isLoopback, tokenMatches } from '../../serve/auth.ts';
import { createDashboardServer, listen } from '../../serve/server.ts';
import { useTempStore } from '../coordinator/store/temp-store.ts';

const TOKEN = 'a-long-enough-secret-0123456789';
const t = useTempStore();
let server: Server;
let base = '';

beforeEach(async () => {
  t.store.createCampaign({ id: 'c1', spec: {}, strategy: 'random' });
  server = createDashboardServer(t.store, silentLogger, { token: TOKEN, pollMs: 20 });
  base = `http://127.0.0.1:${(await listen(server, 0, '127.0.0.1')).port}`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const PATHS = ['/', '/dashboard.js', '/dashboard.css', '/api/campaigns', '/api/campaigns/c1/events', '/api/nothing'];

describe('kevo serve --token', () => {
  it('answers 401 to every request without the token, pages and the event stream included, saying how to send it', async () => {
    for (const path of PATHS) {
      const wrong: Record<string, string>[] = [{}, { authorization: 'Bearer wrong' }, { authorization: `Bearer ${TOKEN}x` }, { cookie: 'kevo_token=wrong' }, { cookie: 'kevo_token=%' }, { cookie: 'kevo_token=%E0%A4%A' }];
      for (const headers of wrong) {
        const response = await fetch(base + path, { headers });
        expect(response.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
        expect((await response.json()).error).toMatch(/Authorization: Bearer TOKEN.*\/login\?token=TOKEN/);
      }
    }
  });

  it('serves a request that carries it as a bearer token or as the cookie /login sets', async () => {
    for (const path of PATHS.slice(0, 4)) expect((await fetch(base + path, { headers: { authorization: `Bearer ${TOKEN}` } })).status, path).toBe(200);
    expect((await fetch(`${base}/login?token=wrong`, { redirect: 'manual' })).status).toBe(401);
    const login = await fetch(`${base}/login?token=${TOKEN}`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/');
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    const events = await fetch(`${base}/api/campaigns/c1/events`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(events.status).toBe(200);
    await events.body!.cancel();
  });

  it('knows loopback from the rest, and compares tokens of any length', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopback(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.2', '10.0.0.1', 'example.com', '127.0.0.1.example.com']) expect(isLoopback(host), host).toBe(false);
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches('', TOKEN)).toBe(false);
    expect(tokenMatches(undefined, TOKEN)).toBe(false);
  });
});
