import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { listWorkers } from '../../../coordinator/transport/nats-workers.ts';
import { natsNames, NatsTopology, workersBucket } from '../../../protocol/nats/topology.ts';
import type { WorkerInfo } from '../../../protocol/worker-info.ts';
import { NatsServer, uniquePrefix } from '../../../testkit/nats-server.ts';
import { TEST_DEVICE_CLASS } from '../../../testkit/sleep-evaluator.ts';

let server: NatsServer;
let nc: NatsConnection;
beforeAll(async () => {
  server = await NatsServer.start();
  nc = await connect({ servers: server.url });
});
afterAll(async () => {
  await nc.close();
  await server.dispose();
});

const info = (name: string): WorkerInfo => ({
  name,
  deviceClasses: [TEST_DEVICE_CLASS],
  backends: ['wasm'],
  threads: 2,
  jobsDone: 0,
  version: 'test',
  lastSeen: new Date().toISOString(),
});

describe('listing live workers from the heartbeat bucket', () => {
  it('lists valid live entries (dotted names too), skips deleted and malformed ones, and leaves no consumer behind', async () => {
    const topology = NatsTopology.parse({ prefix: uniquePrefix('workers') });
    const bucketName = natsNames(topology.prefix).workersBucket;
    const bucket = await workersBucket(nc, topology);
    const jsm = await jetstreamManager(nc);
    await bucket.put('host.b-2', JSON.stringify(info('host.b-2')));
    await bucket.put('a-1', JSON.stringify(info('a-1')));
    await bucket.put('gone', JSON.stringify(info('gone')));
    await bucket.delete('gone');
    await bucket.put('bad', JSON.stringify({ name: 'bad' }));
    for (let i = 0; i < 3; i++) {
      const workers = await listWorkers(jsm, bucket, bucketName);
      expect(workers.map((w) => w.name)).toEqual(['a-1', 'host.b-2']);
      // A heartbeat between two listings must not disturb the next one.
      await bucket.put('a-1', JSON.stringify({ ...info('a-1'), jobsDone: i + 1 }));
    }
    expect((await listWorkers(jsm, bucket, bucketName)).find((w) => w.name === 'a-1')!.jobsDone).toBe(3);
    const consumers = [];
    for await (const consumer of jsm.consumers.list(`KV_${bucketName}`)) consumers.push(consumer.name);
    expect(consumers).toEqual([]);
  });
});
