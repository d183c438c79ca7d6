import { z } from 'zod';
import { jsonOrUndefined } from '../../protocol/nats/json.ts';
import type { JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { describeZodError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/log.ts';
import type { Result } from '../../protocol/result.ts';
import { AddressableJob } from '../../protocol/nats/addressable-job.ts';
import { failureFor } from '../../protocol/result.ts';

/** The fields of a MAX_DELIVERIES advisory we use (io.nats.jetstream.advisory.v1.max_deliver). */
const MaxDeliveriesAdvisory = z.object({
  stream: z.string(),
  consumer: z.string(),
  stream_seq: z.number().int().positive(),
  deliveries: z.number().int().nonnegative(),
});

/**
 * Turn one MAX_DELIVERIES advisory into a dead_letter Result. A work-queue
 * stream keeps a message whose deliveries ran out, so the job is read back by
 * sequence; `publish` must have stored the Result before the message is
 * deleted, so a crash in between repeats the result (idempotent ingest) rather
 * than losing it. Returns false when there is nothing (left) to do.
 */
export async function deadLetter(
  advisoryMessage: JsMsg,
  jsm: JetStreamManager,
  publish: (result: Result) => Promise<void>,
  worker: string,
  log: Logger,
): Promise<boolean> {
  const advisory = MaxDeliveriesAdvisory.safeParse(jsonOrUndefined(advisoryMessage.string()));
  if (!advisory.success) {
    log.warn({ reason: describeZodError(advisory.error) }, 'ignored a malformed MAX_DELIVERIES advisory');
    return false;
  }
  const { stream, stream_seq: seq, deliveries, consumer } = advisory.data;
  const stored = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
  if (!stored) return false; // already dead-lettered by another coordinator, or acked at the last moment
  const job = AddressableJob.safeParse(jsonOrUndefined(stored.data));
  if (job.success) {
    await publish(
      failureFor(job.data, {
        status: 'dead_letter',
        stage: 'delivery',
        reason: `no worker finished it in ${deliveries} deliveries (consumer ${consumer}, max_deliver)`,
        worker,
      }),
    );
    log.warn({ jobId: job.data.jobId, deliveries }, 'job dead-lettered');
  } else {
    log.error({ seq, reason: describeZodError(job.error) }, 'dropped an undeliverable message that is not a job');
  }
  await jsm.streams.deleteMessage(stream, seq).catch(() => false);
  return true;
}
