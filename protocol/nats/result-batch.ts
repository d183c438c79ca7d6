import { z } from 'zod';
import { describeZodError } from '../../lib/errors.ts';
import { Result } from '../result.ts';
import { jsonOrUndefined } from './json.ts';

/** At most this many Results in one message. */
export const MAX_BATCH_RESULTS = 256;
/** And at most this many bytes, under the server's default max_payload (1 MiB), unless one Result alone is larger. */
export const MAX_BATCH_BYTES = 512 * 1024;

/**
 * A results message: the Results a worker finished together, of one campaign.
 * A lone Result object (what workers published before batches) reads as a
 * batch of one, so a worker not yet upgraded loses nothing.
 */
const ResultBatchEnvelope = z.union([
  z.array(z.unknown()).min(1).max(MAX_BATCH_RESULTS),
  z.record(z.string(), z.unknown()).transform((result) => [result]),
]);

export type DecodedBatch =
  | { ok: true; results: Result[]; rejected: string[] }
  | { ok: false; reason: string };

/**
 * A results message, validated Result by Result: one bad Result is dropped
 * (its reason in `rejected`) without losing the others of its batch.
 */
export function decodeResultBatch(data: Uint8Array | string): DecodedBatch {
  const envelope = ResultBatchEnvelope.safeParse(jsonOrUndefined(data));
  if (!envelope.success) return { ok: false, reason: describeZodError(envelope.error) };
  const results: Result[] = [];
  const rejected: string[] = [];
  envelope.data.forEach((item, i) => {
    const parsed = Result.safeParse(item);
    if (parsed.success) results.push(parsed.data);
    else rejected.push(describeZodError(parsed.error, String(i)));
  });
  return { ok: true, results, rejected };
}

/** A results message ready to publish: its campaign, its Results (the dedupe id derives from their jobs) and its JSON text. */
export interface EncodedBatch {
  readonly campaignId: string;
  readonly results: readonly Result[];
  readonly payload: string;
}

/** Results as few messages as the limits allow: one campaign each, in order, within MAX_BATCH_RESULTS and MAX_BATCH_BYTES. */
export function encodeResultBatches(results: readonly Result[]): EncodedBatch[] {
  const open = new Map<string, { results: Result[]; texts: string[]; bytes: number }>();
  const batches: EncodedBatch[] = [];
  const close = (campaignId: string): void => {
    const batch = open.get(campaignId);
    if (!batch) return;
    batches.push({ campaignId, results: batch.results, payload: `[${batch.texts.join(',')}]` });
    open.delete(campaignId);
  };
  for (const result of results) {
    const text = JSON.stringify(result);
    const bytes = Buffer.byteLength(text) + 1;
    const batch = open.get(result.campaignId);
    if (batch && (batch.texts.length >= MAX_BATCH_RESULTS || batch.bytes + bytes > MAX_BATCH_BYTES)) close(result.campaignId);
    const target = open.get(result.campaignId) ?? { results: [], texts: [], bytes: 2 };
    target.results.push(result);
    target.texts.push(text);
    target.bytes += bytes;
    open.set(result.campaignId, target);
  }
  for (const campaignId of [...open.keys()]) close(campaignId);
  return batches;
}
