import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Store } from '../coordinator/store/store.ts';
import { exportFiles } from '../export/index.ts';
import type { Logger } from '../lib/log.ts';
import type { WorkerInfo } from '../protocol/worker-info.ts';
import { answer, clientErrorStatus, decodeSegment } from './api.ts';
import { presentedToken, TOKEN_COOKIE, tokenMatches } from './auth.ts';
import { CONTENT_SECURITY_POLICY, DASHBOARD_FILES } from './dashboard.ts';
import { POLL_MS, streamCampaign } from './events.ts';

export interface ServeOptions {
  /** When set, every request (pages included) must carry it: `Authorization: Bearer`, or the cookie `/login?token=` sets. */
  readonly token?: string;
  /** The live workers (NATS heartbeats), when `kevo serve --nats` is given; else /api/workers says there is no source. */
  readonly liveWorkers?: (() => Promise<readonly WorkerInfo[]>) | undefined;
  /** How often live views poll the store (ms). */
  readonly pollMs?: number;
}

/** `kevo serve`: the dashboard at /, the JSON API under /api/, read-only over one store. */
export function createDashboardServer(store: Store, log: Logger, options: ServeOptions = {}): Server {
  return createServer((request, response) => {
    // Nothing a client sends may end the server: whatever escapes is a 500 for this request only.
    handle(store, options, request, response).catch((error: unknown) => {
      log.error({ err: error, target: request.url }, 'request failed');
      if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
      else response.destroy();
    });
  });
}

async function handle(store: Store, options: ServeOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return sendJson(response, 405, { error: 'read-only: GET only' });
  const url = parseTarget(request.url);
  if (!url) return sendJson(response, 400, { error: 'malformed request target' });
  if (options.token !== undefined) {
    if (url.pathname === '/login') return login(options.token, url, response);
    if (!tokenMatches(presentedToken(request), options.token)) {
      return sendJson(response, 401, { error: 'missing or wrong token: send "Authorization: Bearer TOKEN", or open /login?token=TOKEN once in a browser' });
    }
  }
  const file = DASHBOARD_FILES.get(url.pathname);
  if (file) return send(response, 200, file.type, file.body);
  if (url.pathname === '/api/workers') {
    return sendJson(response, 200, options.liveWorkers ? { source: 'nats', workers: await options.liveWorkers() } : { source: 'none', workers: [] });
  }
  try {
    const events = /^\/api\/campaigns\/([^/]+)\/events$/.exec(url.pathname);
    if (events) return campaignEvents(store, decodeSegment(events[1]!), url, request.method === 'HEAD', response, options.pollMs ?? POLL_MS);
    const exported = /^\/api\/kernels\/([^/]+)\/export(?:\/([^/]+))?$/.exec(url.pathname);
    if (exported) return await exportDownload(store, decodeSegment(exported[1]!), exported[2] && decodeSegment(exported[2]), response);
  } catch (error) {
    const status = clientErrorStatus(error);
    if (status === undefined || response.headersSent) throw error;
    return sendJson(response, status, { error: (error as Error).message });
  }
  const { status, body } = answer(store, url.pathname, url.searchParams);
  sendJson(response, status, body);
}

/** Sets the token as an HttpOnly cookie and goes to the dashboard: a browser cannot attach a header to a link or an EventSource. */
function login(token: string, url: URL, response: ServerResponse): void {
  const given = url.searchParams.get('token') ?? undefined;
  if (!tokenMatches(given, token)) return sendJson(response, 401, { error: 'wrong token' });
  response.writeHead(303, {
    location: '/',
    'set-cookie': `${TOKEN_COOKIE}=${encodeURIComponent(given!)}; HttpOnly; SameSite=Strict; Path=/`,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
  response.end();
}

function campaignEvents(store: Store, id: string, url: URL, head: boolean, response: ServerResponse, pollMs: number): void {
  if (!store.campaign(id)) return sendJson(response, 404, { error: `no campaign "${id}"` });
  const after = Number(url.searchParams.get('after') ?? '0');
  if (!Number.isInteger(after) || after < 0) return sendJson(response, 400, { error: 'after: expected an evaluation id (an integer >= 0)' });
  // A HEAD has no body to stream into: its headers, then done, rather than a poll nobody reads.
  if (head) return send(response, 200, 'text/event-stream; charset=utf-8', '');
  streamCampaign(store, id, after, response, pollMs);
}

/** The files `kevo export` writes: their names at .../export, each one at .../export/NAME as a download. */
async function exportDownload(store: Store, id: string, name: string | undefined, response: ServerResponse): Promise<void> {
  const files = await exportFiles(store, id);
  if (name === undefined) return sendJson(response, 200, Object.keys(files));
  const content = Object.hasOwn(files, name) ? files[name] : undefined;
  if (content === undefined) return sendJson(response, 404, { error: `no exported file "${name}"` });
  send(response, 200, 'application/octet-stream', content, { 'content-disposition': `attachment; filename="${name}"` });
}

/** The request target as a URL, or undefined when it is not one (`//a:99999/`, `http://[bad/`): the client's error. */
function parseTarget(target: string | undefined): URL | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

const sendJson = (response: ServerResponse, status: number, body: unknown) => send(response, status, 'application/json', JSON.stringify(body));

function send(response: ServerResponse, status: number, type: string, body: string | Uint8Array, extra: Record<string, string> = {}): void {
  response.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...extra,
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
