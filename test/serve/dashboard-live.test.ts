import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCampaign, runCampaign } from '../../coordinator/campaign.ts';
import { parseSpec } from '../../coordinator/spec.ts';
import { Store } from '../../coordinator/store/store.ts';
import { EmbeddedTransport } from '../../coordinator/transport/embedded.ts';
import { silentLogger } from '../../lib/log.ts';
import { createDashboardServer, listen } from '../../serve/server.ts';
import { Evaluator } from '../../worker/evaluator.ts';
import { useTempStore } from '../coordinator/store/temp-store.ts';
import { distinctColours, launchChromium } from '../helpers/browser.ts';

const BUDGET = 40;
const t = useTempStore();
let browser: Browser;
let evaluator: Evaluator;
let server: Server | undefined;
let reader: Store | undefined;

beforeAll(async () => {
  [browser, evaluator] = await Promise.all([launchChromium(), Evaluator.create({ threads: 2, backends: ['wasm'], relaxedSimd: true, name: 'dash-worker' })]);
}, 60_000);
afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  reader?.close();
  await Promise.all([browser?.close(), evaluator?.close()]);
});

const shown = (page: Page) => page.locator('#progress .tile .value').first().textContent().then(Number);

describe('a running campaign in the dashboard', () => {
  it('rises live without a reload, draws its plots, and opens a kernel with its lineage and export', async () => {
    const spec = parseSpec({
      problems: [{ op: 'matmul', shape: '32x32x32' }],
      strategy: 'genetic',
      budget: { evaluations: BUDGET },
      population: 8,
      seed: 5,
      db: t.path,
      timing: { timingMs: 20, minSamples: 3, maxSamples: 20 },
    });
    const id = createCampaign(t.store, spec);
    // The server reads the file as `kevo serve` does, from its own read-only connection, while the campaign writes.
    reader = Store.openReadOnly(t.path);
    server = createDashboardServer(reader, silentLogger, { pollMs: 100 });
    const base = `http://127.0.0.1:${(await listen(server, 0, '127.0.0.1')).port}`;
    const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    await page.goto(`${base}/#/campaign/${id}`);
    await page.getByText('● live').waitFor();
    expect(await shown(page)).toBe(0);

    const transport = new EmbeddedTransport(evaluator, 2);
    const run = runCampaign(id, { store: t.store, transport, log: silentLogger }).finally(() => transport.close());
    await page.waitForFunction(() => Number(document.querySelector('#progress .tile .value')?.textContent) >= 20);
    const screenshot = await page.screenshot({ fullPage: true });
    // KEVO_SCREENSHOT=docs/dashboard.png keeps it: the README's picture is this page, live.
    if (process.env.KEVO_SCREENSHOT) writeFileSync(process.env.KEVO_SCREENSHOT, screenshot);
    const done = await run;
    const stored = t.store.evaluations(id).length;
    expect(done.status).toBe('done');
    await page.waitForFunction((n) => Number(document.querySelector('#progress .tile .value')?.textContent) === n, stored);
    await page.getByText(`Campaign ${id} (done)`).waitFor();
    expect(page.url()).toBe(`${base}/#/campaign/${id}`);

    // Drawn, not blank: the best-so-far line is there, and its pixels are many colours, the series colour among them.
    expect(await page.locator('#best-chart path.series').count()).toBe(1);
    expect(await page.locator('#genes svg').count()).toBeGreaterThan(2);
    expect(await page.locator('#genes circle.dot').count()).toBeGreaterThan(5);
    expect(distinctColours(await page.locator('#best-chart svg').screenshot())).toBeGreaterThan(10);
    expect(distinctColours(screenshot)).toBeGreaterThan(50);
    expect(await page.locator('#workers tbody tr').first().textContent()).toContain('dash-worker');

    await page.locator('#detail tbody a').first().click();
    await page.locator('#kernel-title').getByText('Kernel ').waitFor();
    expect(await page.locator('#source').textContent()).toContain('(module');
    expect(await page.locator('#verdicts tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#lineage .lineage-node').count()).toBeGreaterThan(0);
    const download = page.locator('#exports a', { hasText: 'kernel.wasm' });
    await download.waitFor();
    const wasm = await page.request.get(base + (await download.getAttribute('href')));
    expect([...(await wasm.body()).subarray(0, 4)]).toEqual([0, 0x61, 0x73, 0x6d]);

    // The home page compares campaigns: one best-so-far line each.
    await page.goto(`${base}/#/`);
    // attached, not visible: a campaign whose first kernel stays best draws a flat line, and a flat path has no height.
    await page.locator('#compare path.series').waitFor({ state: 'attached' });
    expect(await page.locator('#compare path.series').count()).toBe(1);

    // A bred kernel's tree reaches its seeds through the operators that made each step.
    // Kernels are stored by source: the page traces the genome of the kernel's best evaluation.
    const madeBy = (kernelId: string) => t.store.lineage(t.store.kernel(kernelId)!.evaluation!.genomeHash)[0];
    const bred = t.store.evaluations(id).find((e) => e.kernelId && madeBy(e.kernelId)?.parents.length);
    expect(bred).toBeDefined();
    await page.goto(`${base}/#/kernel/${bred!.kernelId}`);
    // The kernel opened above left its lineage on the page: wait for this kernel's before reading the tree.
    await page.locator('#kernel-title').getByText(`Kernel ${bred!.kernelId} `).waitFor();
    await page.locator('#lineage ul ul .lineage-node').first().waitFor();
    const operators = await page.locator('#lineage .op').allTextContents();
    expect(operators[0]).toBe(madeBy(bred!.kernelId!)!.operator);
    expect(operators.some((op) => op === 'sample' || op === 'seed')).toBe(true);
    await page.close();
  }, 120_000);
});
