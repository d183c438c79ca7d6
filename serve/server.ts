import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Store } from '../coordinator/store/store.ts';
import type { Logger } from '../lib/log.ts';
import { answer } from './api.ts';
import { CONTENT_SECURITY_POLICY, DASHBOARD_FILES } from './dashboard.ts';

/** `kevo serve`: the dashboard at /, the JSON API under /api/, read-only over one store. */
export function createDashboardServer(store: Store, log: Logger): Server {
  return createServer((request, response) => {
    // Nothing a client sends may end the server: whatever escapes is a 500 for this request only.
    try {
      handle(store, request, response);
    } catch (error) {
      log.error({ err: error, target: request.url }, 'request failed');
      if (!response.headersSent) send(response, 500, 'application/json', JSON.stringify({ error: 'internal error' }));
      else response.destroy();
    }
  });
}

function handle(store: Store, request: IncomingMessage, response: ServerResponse): void {
  if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'application/json', JSON.stringify({ error: 'read-only: GET only' }));
  const url = parseTarget(request.url);
  if (!url) return send(response, 400, 'application/json', JSON.stringify({ error: 'malformed request target' }));
  const file = DASHBOARD_FILES.get(url.pathname);
  if (file) return send(response, 200, file.type, file.body);
  const { status, body } = answer(store, url.pathname, url.searchParams);
  send(response, status, 'application/json', JSON.stringify(body));
}

/** The request target as a URL, or undefined when it is not one (`//a:99999/`, `http://[bad/`): the client's error. */
function parseTarget(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  response.end(body);
}

/** Resolves with the address once listening (port 0 picks a free one). */
export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
}
