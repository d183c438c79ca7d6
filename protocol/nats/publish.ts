import { setTimeout as sleep } from 'node:timers/promises';
import type { JetStreamClient } from '@nats-io/jetstream';
import { ClosedConnectionError } from '@nats-io/transport-node';
import type { Result } from '../result.ts';
import { natsNames } from './topology.ts';

/**
 * Publish to a stream and wait for the stream's ack, riding out a server
 * restart: the client buffers while it reconnects, but an ack that does not
 * come in time rejects, so retry until `patienceMs`. Retries are safe because
 * the stream drops a repeated msgID (its duplicate window is 2 minutes).
 */
export async function publishDurably(
  js: JetStreamClient,
  subject: string,
  payload: string,
  msgID: string,
  patienceMs: number,
): Promise<void> {
  const giveUpAt = Date.now() + patienceMs;
  for (;;) {
    try {
      await js.publish(subject, payload, { msgID });
      return;
    } catch (error) {
      if (error instanceof ClosedConnectionError || Date.now() >= giveUpAt) throw error;
      await sleep(250);
    }
  }
}

/**
 * Store a Result on its campaign's subject. Every result of a job carries the
 * same msgID, so a repeat within the duplicate window is stored once.
 */
export function publishResult(js: JetStreamClient, prefix: string, result: Result, patienceMs: number): Promise<void> {
  return publishDurably(js, natsNames(prefix).resultsSubject(result.campaignId), JSON.stringify(result), `result:${result.jobId}`, patienceMs);
}
