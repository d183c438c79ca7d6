import type { Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '../../coordinator/store/store.ts';
import { silentLogger } from '../../lib/log.ts';
import { createDashboardServer, listen } from '../../serve/server.ts';
import { job, okResult, problem64, rejectedResult, wasmGenome } from '../coordinator/store/results.ts';
import { useTempStore } from '../coordinator/store/temp-store.ts';

const t = useTempStore();
let reader: Store;
let server: Server;
let base = '';

beforeEach(async () => {
  t.store.createCampaign({ id: 'c1', spec: { budget: { evaluations: 10 } }, strategy: 'genetic' });
  t.store.ingest(okResult(job('j1', 'c1', wasmGenome(2), problem64), { medianMs: 2 }));
  // As `kevo serve`: its own read-only connection to the file another connection writes.
  reader = Store.openReadOnly(t.path);
  server = createDashboardServer(reader, silentLogger, { pollMs: 20 });
  base = `http://127.0.0.1:${(await listen(server, 0, '127.0.0.1')).port}`;
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  reader.close();
});

/** Reads the event stream until `until` holds for the events so far. */
async function events(path: string, until: (seen: { event: string; data: any }[]) => boolean) {
  const controller = new AbortController();
  const response = await fetch(base + path, { signal: controller.signal });
  expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
  const seen: { event: string; data: any }[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = response.body!.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    buffer += decoder.decode(chunk.value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const [event, data] = buffer.slice(0, end).split('\n').map((line) => line.slice(line.indexOf(': ') + 2));
      seen.push({ event: event!, data: JSON.parse(data!) });
      buffer = buffer.slice(end + 2);
    }
    if (until(seen)) break;
  }
  controller.abort();
  return seen;
}

describe('the campaign event stream', () => {
  it('pushes each evaluation another connection stores, after the one the client has, and the campaign when it changes', async () => {
    // The writes come once the stream has said where the campaign stands: the rest must arrive live.
    const seen = await events('/api/campaigns/c1/events?after=1', (seen) => {
      if (seen.length === 1) {
        expect(seen[0]).toMatchObject({ event: 'campaign', data: { evaluations: 1, status: 'running' } });
        t.store.ingest(okResult(job('j2', 'c1', wasmGenome(4), problem64), { medianMs: 1 }));
        t.store.ingest(rejectedResult(job('j3', 'c1', wasmGenome(1), problem64)));
        t.store.updateCampaign('c1', { status: 'done' });
      }
      return seen.some((e) => e.event === 'campaign' && e.data.status === 'done');
    });
    expect(seen.filter((e) => e.event === 'evaluation').map((e) => e.data.jobId)).toEqual(['j2', 'j3']);
    expect(seen.filter((e) => e.event === 'campaign').at(-1)!.data).toMatchObject({ evaluations: 3, failures: 1, status: 'done' });
  });

  it('starts from the beginning by default; 404 for an unknown campaign, 400 for a bad after', async () => {
    const seen = await events('/api/campaigns/c1/events', (s) => s.some((e) => e.event === 'campaign'));
    expect(seen[0]).toMatchObject({ event: 'evaluation', data: { jobId: 'j1' } });
    expect((await fetch(`${base}/api/campaigns/nope/events`)).status).toBe(404);
    const bad = await fetch(`${base}/api/campaigns/c1/events?after=-1`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/after/);
    expect((await fetch(`${base}/api/campaigns/%zz/events`)).status).toBe(400);
    const head = await fetch(`${base}/api/campaigns/c1/events`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-type')]).toEqual([200, 'text/event-stream; charset=utf-8']);
  });
});
