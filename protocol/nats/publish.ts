import { setTimeout as sleep } from 'node:timers/promises';
import type { JetStreamClient } from '@nats-io/jetstream';
import { ClosedConnectionError } from '@nats-io/transport-node';
import { canonicalHash } from '../../lib/hash.ts';
import type { EncodedBatch } from './result-batch.ts';
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
 * Store a batch of one campaign's Results as one message on its subject. The
 * msgID names the jobs, so the same batch published again within the
 * duplicate window is stored once; a job's Result in another batch (a
 * redelivered job) is ingested idempotently by the coordinator.
 */
export function publishResultBatch(js: JetStreamClient, prefix: string, batch: EncodedBatch, patienceMs: number): Promise<void> {
  const msgID = `results:${canonicalHash(batch.results.map((r) => r.jobId))}`;
  return publishDurably(js, natsNames(prefix).resultsSubject(batch.campaignId), batch.payload, msgID, patienceMs);
}
