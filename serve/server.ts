import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Store } from '../coordinator/store/store.ts';
import type { Logger } from '../lib/log.ts';
import { answer } from './api.ts';
import { DASHBOARD_HTML } from './dashboard.ts';

/** `kevo serve`: the dashboard at /, the JSON API under /api/, read-only over one store. */
export function createDashboardServer(store: Store, log: Logger): Server {
  return createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const send = (status: number, type: string, body: string) => {
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      response.end(body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, 'application/json', JSON.stringify({ error: 'read-only: GET only' }));
    if (url.pathname === '/') return send(200, 'text/html; charset=utf-8', DASHBOARD_HTML);
    try {
      const { status, body } = answer(store, url.pathname, url.searchParams);
      send(status, 'application/json', JSON.stringify(body));
    } catch (error) {
      log.error({ err: error, path: url.pathname }, 'request failed');
      send(500, 'application/json', JSON.stringify({ error: 'internal error' }));
    }
  });
}

/** Resolves with the address once listening (port 0 picks a free one). */
export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
}
