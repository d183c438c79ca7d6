import type { JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { jsonOrUndefined } from '../../protocol/nats/json.ts';
import { WorkerInfo } from '../../protocol/worker-info.ts';

/**
 * Live workers: the bucket's TTL has already dropped those that stopped
 * heartbeating. The keys come from the stream's subject counts, one request:
 * KV.keys() runs a consumer that, raced by a heartbeat, can keep watching
 * forever (a 100k-evaluation soak hung in it), and leaves a consumer behind
 * on the server at every call.
 */
export async function listWorkers(jsm: JetStreamManager, bucket: KV, bucketName: string): Promise<WorkerInfo[]> {
  const keyPrefix = `$KV.${bucketName}.`;
  const info = await jsm.streams.info(`KV_${bucketName}`, { subjects_filter: `${keyPrefix}>` });
  const workers: WorkerInfo[] = [];
  for (const subject of Object.keys(info.state.subjects ?? {})) {
    const entry = await bucket.get(subject.slice(keyPrefix.length));
    if (!entry || entry.operation !== 'PUT') continue;
    const parsed = WorkerInfo.safeParse(jsonOrUndefined(entry.string()));
    if (parsed.success) workers.push(parsed.data);
  }
  return workers.sort((a, b) => a.name.localeCompare(b.name));
}
