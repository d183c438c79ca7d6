import { z } from 'zod';
import { jsonOrUndefined } from './nats-json.ts';
import type { KV } from '@nats-io/kv';
import { DeviceClass } from '../../protocol/device.ts';
import type { WorkerInfo } from './transport.ts';

/** A worker's entry in the heartbeat bucket, keyed by its name; validated when read back. */
export const WorkerAnnouncement = z
  .object({
    name: z.string().min(1),
    deviceClasses: z.array(DeviceClass),
    backends: z.array(z.string()),
    threads: z.number().int().positive(),
    jobsDone: z.number().int().nonnegative(),
    version: z.string(),
    lastSeen: z.string(),
  })
  .strict();

/** Live workers: the bucket's TTL has already dropped those that stopped heartbeating. */
export async function listWorkers(bucket: KV): Promise<WorkerInfo[]> {
  const workers: WorkerInfo[] = [];
  for await (const key of await bucket.keys()) {
    const entry = await bucket.get(key);
    if (!entry || entry.operation !== 'PUT') continue;
    const parsed = WorkerAnnouncement.safeParse(jsonOrUndefined(entry.string()));
    if (parsed.success) workers.push(parsed.data);
  }
  return workers.sort((a, b) => a.name.localeCompare(b.name));
}
