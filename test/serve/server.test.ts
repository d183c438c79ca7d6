import type { AddressInfo } from 'node:net';
import { Script } from 'node:vm';
import type { Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/log.ts';
import { createDashboardServer, listen } from '../../serve/server.ts';
import { cpuDevice, job, okResult, problem64, rejectedResult, wasmGenome } from '../coordinator/store/results.ts';
import { useTempStore } from '../coordinator/store/temp-store.ts';

const t = useTempStore();
let server: Server;
let base = '';

beforeEach(async () => {
  t.store.createCampaign({ id: 'c1', spec: { problems: [] }, strategy: 'genetic' });
  t.store.ingest(okResult(job('j1', 'c1', wasmGenome(2), problem64), { medianMs: 2 }));
  t.store.ingest(okResult(job('j2', 'c1', wasmGenome(4), problem64), { medianMs: 1 }));
  t.store.ingest(rejectedResult(job('j3', 'c1', wasmGenome(1), problem64)));
  server = createDashboardServer(t.store, silentLogger);
  const address: AddressInfo = await listen(server, 0, '127.0.0.1');
  base = `http://127.0.0.1:${address.port}`;
});
afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

const get = async (path: string) => {
  const response = await fetch(base + path);
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
};

describe('kevo serve', () => {
  it('serves the dashboard page, its script and style, with a policy that forbids inline script', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/text\/html/);
    expect(page.body).toContain('<script src="/dashboard.js" defer></script>');
    expect(page.body).not.toMatch(/<script>|<style>| on\w+=/);
    const script = await get('/dashboard.js');
    expect(script.type).toMatch(/text\/javascript/);
    expect(script.body).toContain("api('/api/campaigns')");
    expect(script.body).not.toMatch(/innerHTML|insertAdjacentHTML|document\.write/);
    expect(() => new Script(script.body)).not.toThrow();
    expect((await get('/dashboard.css')).type).toMatch(/text\/css/);
    for (const path of ['/', '/dashboard.js', '/api/campaigns', '/api/nothing']) {
      const response = await fetch(base + path);
      expect(response.headers.get('content-security-policy'), path).toMatch(/default-src 'none'; script-src 'self';/);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });

  it('answers campaigns, one campaign, best, kernels and devices as JSON', async () => {
    const campaigns = JSON.parse((await get('/api/campaigns')).body);
    expect(campaigns).toMatchObject([{ id: 'c1', evaluations: 3, failures: 1 }]);
    const one = JSON.parse((await get('/api/campaigns/c1')).body);
    expect(one.evaluationsList).toHaveLength(3);
    expect(one.best.map((e: { jobId: string }) => e.jobId)).toEqual(['j2', 'j1']); // verified only, best first
    expect(campaigns[0]).toMatchObject({ bestSpeedup: 10, bestGflops: 268.435456 });
    const best = JSON.parse((await get('/api/best?op=matmul&shape=64x64x64&limit=1')).body);
    expect(best).toHaveLength(1);
    expect(best[0].medianMs).toBe(1);
    const kernel = JSON.parse((await get(`/api/kernels/${best[0].kernelId.slice(0, 8)}`)).body);
    expect(kernel.id).toBe(best[0].kernelId);
    expect(kernel.text).toContain('(module');
    expect(JSON.parse((await get('/api/devices')).body)).toEqual([cpuDevice]);
    expect(JSON.parse((await get(`/api/best?op=matmul&shape=64x64x64&device=${cpuDevice.id.slice(0, 6)}`)).body)).toHaveLength(2);
  });

  it('says what was wrong: 400 for a bad query, 404 for unknown things, 405 for writes', async () => {
    const badShape = await get('/api/best?op=matmul&shape=0x1x1');
    expect(badShape.status).toBe(400);
    expect(JSON.parse(badShape.body).error).toMatch(/shape "0x1x1"/);
    const badLimit = await get('/api/best?op=matmul&shape=4x4x4&limit=-2');
    expect(badLimit.status).toBe(400);
    expect(JSON.parse(badLimit.body).error).toMatch(/limit/);
    // Problem fields as `kevo best` takes them: judged by the op's schema, an error naming the field.
    expect(JSON.parse((await get('/api/best?op=matmul&shape=64x64x64&dtype=i8&weights=varying')).body)).toEqual([]);
    for (const [query, field] of [['dtype=i9', /dtype/], ['dtype=w4&group=48', /group/], ['weights=sometimes', /weights/], ['dtype=i8&output=i16', /output/], ['stride=2', /stride/]] as const) {
      const bad = await get(`/api/best?op=matmul&shape=4x4x4&${query}`);
      expect(bad.status, query).toBe(400);
      expect(JSON.parse(bad.body).error, query).toMatch(field);
    }
    expect((await get('/api/campaigns/nope')).status).toBe(404);
    expect((await get('/api/kernels/ffffffff')).status).toBe(404);
    expect((await get('/api/kernels/ffffffff/export')).status).toBe(404);
    expect((await get('/api/kernels/ffffffff/export/kernel.wasm')).status).toBe(404);
    expect((await get('/api/nothing')).status).toBe(404);
    expect((await fetch(`${base}/api/campaigns`, { method: 'POST' })).status).toBe(405);
  });
});
