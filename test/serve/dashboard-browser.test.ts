import type { Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/log.ts';
import { createDashboardServer, listen } from '../../serve/server.ts';
import { genomeHash } from '../../genome/genome.ts';
import { LlmStore } from '../../coordinator/store/llm.ts';
import { cpuDevice, job, okResult, problem64, rejectedResult, wasmGenome } from '../coordinator/store/results.ts';
import { useTempStore } from '../coordinator/store/temp-store.ts';
import { launchChromium } from '../helpers/browser.ts';

/** Markup that runs a script if it is ever parsed as HTML: each sets its own flag on window. */
const hostile = (n: number) => `<img src=x onerror="window.pwned${n}=1"><script>window.pwned${n}=2</script>`;
const campaignId = `c1${hostile(1)}`;
const strategy = `genetic${hostile(2)}`;
const device = { ...cpuDevice, label: `CPU ${hostile(3)}` };

const t = useTempStore();
let browser: Browser;
let server: Server;
let base = '';

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe('the dashboard in Chromium', () => {
  // Result strings went into innerHTML unescaped: a device label could run script in whoever opened the dashboard (issue #16.4).
  it('shows hostile campaign ids, strategies and device labels as text, and runs none of them', async () => {
    t.store.createCampaign({ id: campaignId, spec: { problems: [] }, strategy });
    t.store.ingest(okResult(job('j1', campaignId, wasmGenome(2), problem64), { medianMs: 2, device, measuredError: { ofTolerance: 0.125, maxAbs: 1e-6, maxRel: 1e-5, elements: 64 } }));
    // The kernel page's strings too: a verifier's reason, an LLM's review, a lineage operator.
    const rejected = rejectedResult(job('j2', campaignId, wasmGenome(3), problem64), device);
    const bred = t.store.recordGenome({ genome: wasmGenome(3), campaignId, parents: [genomeHash(wasmGenome(2))], operator: `mutate${hostile(4)}` });
    t.store.ingest({ ...rejected, verdicts: [{ stage: `numerical${hostile(5)}`, ok: false, reason: `off by ${hostile(6)}`, ms: 1 }] });
    new LlmStore(t.store).recordReview(campaignId, bred, { verdict: 'fail', reasons: [`looks wrong ${hostile(7)}`], suspectedLoophole: hostile(8) }, { gate: true });
    server = createDashboardServer(t.store, silentLogger);
    base = `http://127.0.0.1:${(await listen(server, 0, '127.0.0.1')).port}`;

    const page = await browser.newPage();
    const policyViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) policyViolations.push(message.text());
    });
    await page.goto(`${base}/`);
    const link = page.locator('#campaigns a');
    await link.waitFor();
    expect(await link.textContent()).toBe(campaignId);
    expect(await page.locator('#campaigns tbody td').nth(2).textContent()).toBe(strategy);

    await link.click();
    await page.locator('#detail tbody tr').waitFor();
    expect(await page.locator('#detail-title').textContent()).toBe(`Campaign ${campaignId} (running)`);

    await page.click('header h1 a');
    await page.fill('#best-form input[name=shape]', '64x64x64');
    await page.click('#best-form button');
    await page.locator('#best tbody tr').waitFor();
    expect(await page.locator('#best tbody td').nth(4).textContent()).toBe('0.125'); // err/tol
    expect(await page.locator('#best tbody td').nth(5).textContent()).toBe(device.label);

    await page.goto(`${base}/#/kernel/${t.store.evaluations(campaignId)[1]!.kernelId}`);
    await page.locator('#verdicts tbody tr').waitFor();
    expect(await page.locator('#verdicts tbody td').first().textContent()).toBe(`numerical${hostile(5)}`);
    expect(await page.locator('#reviews p').textContent()).toContain(`looks wrong ${hostile(7)}`);
    expect(await page.locator('#lineage .op').first().textContent()).toBe(`mutate${hostile(4)}`);

    // Text, not markup: no element the strings describe exists, and no handler ran.
    expect(await page.locator('img, body script').count()).toBe(0);
    expect(await page.evaluate(() => Object.keys(window).filter((k) => k.startsWith('pwned')))).toEqual([]);
    expect(policyViolations).toEqual([]);
    await page.close();
  }, 60_000);
});
