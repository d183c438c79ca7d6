import { AddressableJob } from '../../protocol/nats/addressable-job.ts';
import { failureFor } from '../../protocol/result.ts';
import { jsonOrUndefined } from '../../protocol/nats/json.ts';
import { describeZodError } from '../../lib/errors.ts';
import { Job } from '../../protocol/job.ts';
import type { Result } from '../../protocol/result.ts';

export type DecodedJob = { ok: true; job: Job } | { ok: false; reason: string; failure?: Result };

/**
 * A message from the jobs stream, validated. A bad one is never evaluated; if
 * it still names a job, the coordinator gets a failure Result for it rather
 * than waiting forever.
 */
export function decodeJob(data: Uint8Array, maxBytes: number, worker: string): DecodedJob {
  const value = jsonOrUndefined(data);
  let reason: string;
  if (data.byteLength > maxBytes) {
    reason = `job message is ${data.byteLength} bytes; at most ${maxBytes}`;
  } else {
    const job = Job.safeParse(value);
    if (job.success) return { ok: true, job: job.data };
    reason = `invalid job: ${describeZodError(job.error)}`;
  }
  const addressable = AddressableJob.safeParse(value);
  if (!addressable.success) return { ok: false, reason };
  return { ok: false, reason, failure: failureFor(addressable.data, { status: 'unsupported', stage: 'protocol', reason, worker }) };
}
