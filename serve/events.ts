import type { ServerResponse } from 'node:http';
import type { Store } from '../coordinator/store/store.ts';
import { campaignSummary } from './api.ts';

/** How often a live view asks the store for new rows: campaigns write from other processes, so the file is polled. */
export const POLL_MS = 500;

/**
 * Server-Sent Events for one campaign: every evaluation stored after `afterId`
 * as an `evaluation` event, and the campaign's summary (its row with counts and
 * status, and its best list, as /api/campaigns/ID heads with) as a `campaign`
 * event whenever it changed. Polls the store until the client goes.
 */
export function streamCampaign(store: Store, campaignId: string, afterId: number, response: ServerResponse, pollMs = POLL_MS): void {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    connection: 'keep-alive',
  });
  const send = (event: string, data: unknown) => response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  let last = afterId;
  let lastRow = '';
  let version: number | undefined;
  const tick = () => {
    // Nothing committed since the last look (another connection's write changes it): nothing to send.
    const now = store.dataVersion();
    if (now === version) return;
    version = now;
    for (const evaluation of store.evaluationsAfter(campaignId, last)) {
      send('evaluation', evaluation);
      last = evaluation.id;
    }
    // The row (counts, status) is cheap to read; the best list is recomputed only when it changed.
    const row = store.campaign(campaignId);
    const key = JSON.stringify(row);
    if (row && key !== lastRow) {
      lastRow = key;
      send('campaign', campaignSummary(store, row, store.evaluations(campaignId)));
    }
  };
  const timer = setInterval(() => {
    try {
      tick();
    } catch (error) {
      send('failure', { error: String((error as Error).message ?? error) });
      stop();
    }
  }, pollMs);
  const stop = () => {
    clearInterval(timer);
    response.end();
  };
  response.on('close', () => clearInterval(timer));
  tick();
}
