import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store } from '../../coordinator/store/store.ts';
import { startServe } from '../helpers/cli.ts';
import { job, okResult, problem64, wasmGenome } from '../coordinator/store/results.ts';
import { rawGet, rawRequest, replyJson } from './raw-http.ts';

/** A real `kevo serve` process: a request that kills it shows as a refused connection and an exit code. */
let dir = '';
let serve: ChildProcess;
let port = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kevo-hostile-'));
  const db = join(dir, 'kevo.db');
  const store = Store.open(db);
  store.createCampaign({ id: 'c1', spec: { problems: [] }, strategy: 'genetic' });
  store.ingest(okResult(job('j1', 'c1', wasmGenome(2), problem64), { medianMs: 2 }));
  store.close();
  ({ child: serve, port } = await startServe(db, 'silent'));
}, 60_000);

afterAll(() => {
  serve?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

async function expectAlive(): Promise<void> {
  expect(serve.exitCode).toBeNull();
  const reply = await rawRequest(port, rawGet('/api/campaigns'));
  expect(reply.status).toBe(200);
}

describe('kevo serve under hostile requests', () => {
  // Each of these ended the server with an uncaught `TypeError: Invalid URL` (issue #16.1).
  it.each(['//a:99999/', '//[::1/', 'http://[bad/', '//%zz/', '//a:b@c:70000', 'http://x:0x/'])(
    'answers 400 to the request target %s and stays up',
    async (target) => {
      const reply = await rawRequest(port, rawGet(target));
      expect(reply.status).toBe(400);
      expect(replyJson(reply)).toEqual({ error: 'malformed request target' });
      await expectAlive();
    },
  );

  it('answers 400 with a JSON error to a malformed percent-escape in an API path (was 500)', async () => {
    for (const target of ['/api/kernels/%', '/api/campaigns/%zz', '/api/prompts/%E0%A4%A', '/api/campaigns/%zz/events', '/api/kernels/%/export', '/api/kernels/ab/export/%zz']) {
      const reply = await rawRequest(port, rawGet(target));
      expect(reply.status).toBe(400);
      expect(replyJson(reply)).toEqual({ error: expect.stringContaining('malformed percent-escape') });
    }
    await expectAlive();
  });

  it('survives 1,000 random request targets, methods and headers with no 5xx', async () => {
    const noisy = fc.string({ unit: fc.constantFrom(...'/:@[]%?#&=.-_~!$\'()*+,;0123456789abcxyzAZ %\t\\^`{}|"<>\u00e9\u4e2d'.split('')) });
    const target = fc.oneof(
      fc.tuple(fc.constantFrom('/', '//', '/api/', '/api/kernels/', '/api/kernels/0/export/', '/api/campaigns/', '/api/prompts/', '/api/best?', '/login?token=', 'http://', 'http://x:'), noisy).map(([a, b]) => a + b),
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.string({ unit: 'binary-ascii', minLength: 1 }),
    );
    // Mostly well-formed requests with hostile parts, some garbage throughout: both the handler and the parser get hit.
    const mostly = <T,>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) => fc.oneof({ arbitrary: usual, weight: 6 }, { arbitrary: odd, weight: 1 });
    const method = mostly(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }));
    const header = fc.tuple(
      mostly(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,19}$/), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 })),
      mostly(fc.stringMatching(/^[ -~]{0,60}$/), fc.string({ unit: 'binary-ascii', maxLength: 60 })),
    );
    const statuses = new Map<number | undefined, number>();
    await fc.assert(
      fc.asyncProperty(method, target, fc.array(header, { maxLength: 4 }), async (m, t, headers) => {
        const lines = headers.map(([name, value]) => `${name}: ${value}\r\n`).join('');
        const reply = await rawRequest(port, `${m} ${t} HTTP/1.1\r\nHost: x\r\n${lines}Connection: close\r\n\r\n`, 5_000);
        // No reply at all is the HTTP parser hanging up on garbage; a crash would refuse the next connection.
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        if (reply.status !== undefined) expect(reply.status).toBeLessThan(500);
      }),
      { numRuns: 1_000, interruptAfterTimeLimit: 90_000, markInterruptAsFailure: true },
    );
    // The fuzz reached the handler, not only the HTTP parser: answers only it gives (200, 404, 405) as well as 400s.
    expect([200, 404, 405].reduce((sum, status) => sum + (statuses.get(status) ?? 0), 0)).toBeGreaterThan(100);
    await expectAlive();
  }, 120_000);
});
