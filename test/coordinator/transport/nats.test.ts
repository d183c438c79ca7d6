import { afterAll, beforeAll } from 'vitest';
import { NatsTransport } from '../../../coordinator/transport/nats.ts';
import { runNatsWorker } from '../../../worker/nats/worker.ts';
import { NatsServer, uniquePrefix } from '../../../testkit/nats-server.ts';
import { SleepEvaluator } from '../../../testkit/sleep-evaluator.ts';
import { transportConformance } from './conformance.ts';

let server: NatsServer;
beforeAll(async () => {
  server = await NatsServer.start();
});
afterAll(async () => {
  await server.dispose();
});

transportConformance('nats', async () => {
  const prefix = uniquePrefix('conf');
  const topology = { prefix, ackWaitMs: 2_000 };
  const transport = await NatsTransport.open({ servers: server.url }, topology);
  const stop = new AbortController();
  const name = `${prefix}-worker`;
  const worker = runNatsWorker({
    connection: { servers: server.url },
    evaluator: new SleepEvaluator(name),
    options: { ...topology, name, threads: 4 },
    signal: stop.signal,
  });
  await waitForWorker(transport, name, worker);
  return {
    transport,
    workerName: name,
    async dispose() {
      stop.abort();
      await worker;
      await transport.close();
    },
  };
});

/** The worker is ready once its heartbeat is in the bucket; a worker that failed to start fails the wait. */
async function waitForWorker(transport: NatsTransport, name: string, worker: Promise<unknown>): Promise<void> {
  let failed: unknown;
  void worker.catch((error: unknown) => (failed = error));
  while (!(await transport.workers()).some((w) => w.name === name)) {
    if (failed) throw failed;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
