import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsTransport } from '../../../coordinator/transport/nats.ts';
import { KevoError } from '../../../lib/errors.ts';
import { natsConnectionOptions, natsFlagsFrom } from '../../../lib/nats-options.ts';
import { runNatsWorker } from '../../../worker/nats/worker.ts';
import { NatsServer, uniquePrefix } from '../../../testkit/nats-server.ts';
import { SleepEvaluator } from '../../../testkit/sleep-evaluator.ts';

function startWorker(server: NatsServer, flags: Record<string, string | undefined>, prefix: string, signal: AbortSignal) {
  const connection = natsConnectionOptions(natsFlagsFrom({ nats: server.url, ...flags }, {}), 'test');
  const running = runNatsWorker({ connection, evaluator: new SleepEvaluator('w'), options: { prefix, name: `${prefix}-w` }, signal });
  return { connection, running };
}

describe.each([
  { kind: 'user/password', config: 'authorization { user: kevo, password: s3cret }', good: { natsUser: 'kevo', natsPassword: 's3cret' }, bad: { natsUser: 'kevo', natsPassword: 'wrong' } },
  { kind: 'token', config: 'authorization { token: t0ken-xyz }', good: { natsToken: 't0ken-xyz' }, bad: { natsToken: 'nope' } },
])('a server requiring $kind', ({ config, good, bad }) => {
  let server: NatsServer;
  beforeAll(async () => {
    server = await NatsServer.start({ config });
  });
  afterAll(async () => {
    await server.dispose();
  });

  it('refuses a worker without credentials, or with wrong ones, with a clear error', async () => {
    for (const flags of [{}, bad]) {
      const { running } = startWorker(server, flags, uniquePrefix('auth'), new AbortController().signal);
      const error = await running.then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(KevoError);
      expect((error as KevoError).code).toBe('BAD_INPUT');
      expect((error as KevoError).message).toMatch(/refused the credentials/);
      expect((error as KevoError).message).toContain(server.url);
    }
  });

  it('accepts a worker with them', async () => {
    const prefix = uniquePrefix('auth');
    const stop = new AbortController();
    const { connection, running } = startWorker(server, good, prefix, stop.signal);
    const coordinator = await NatsTransport.open(connection, { prefix });
    try {
      while (!(await coordinator.workers()).some((w) => w.name === `${prefix}-w`)) await new Promise((r) => setImmediate(r));
    } finally {
      stop.abort();
      await coordinator.close();
    }
    await expect(running).resolves.toEqual({ jobsDone: 0 });
  });
});
