import type { KV } from '@nats-io/kv';
import { jsonOrUndefined } from '../../protocol/nats/json.ts';
import { WorkerInfo } from '../../protocol/worker-info.ts';

/** Live workers: the bucket's TTL has already dropped those that stopped heartbeating. */
export async function listWorkers(bucket: KV): Promise<WorkerInfo[]> {
  const workers: WorkerInfo[] = [];
  for await (const key of await bucket.keys()) {
    const entry = await bucket.get(key);
    if (!entry || entry.operation !== 'PUT') continue;
    const parsed = WorkerInfo.safeParse(jsonOrUndefined(entry.string()));
    if (parsed.success) workers.push(parsed.data);
  }
  return workers.sort((a, b) => a.name.localeCompare(b.name));
}
