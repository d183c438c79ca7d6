import { describe, expect, it } from 'vitest';
import { KevoError } from '../../lib/errors.ts';
import { connectNats, natsConnectionOptions, natsFlagsFrom } from '../../lib/nats-options.ts';
import { NatsServer } from '../../testkit/nats-server.ts';

describe('natsFlagsFrom', () => {
  it('reads the environment, and flags override it', () => {
    const env = { NATS_URL: 'nats://a:4222', NATS_TOKEN: 'from-env', NATS_CREDS: '/x.creds' };
    expect(natsFlagsFrom({}, env)).toEqual({ nats: 'nats://a:4222', natsToken: 'from-env', natsCreds: '/x.creds' });
    expect(natsFlagsFrom({ nats: 'nats://b:4222', other: true }, env).nats).toBe('nats://b:4222');
  });

  it('names the option that is wrong', () => {
    expect(() => natsFlagsFrom({ natsTlsCert: 'c.pem' }, {})).toThrow(/--nats-tls-cert \(or NATS_CERT\): .*give both or neither/);
    expect(() => natsFlagsFrom({ natsPassword: 'p' }, {})).toThrow(/--nats-password \(or NATS_PASSWORD\): a NATS password needs a user/);
  });

  it('refuses what is not a NATS URL, as bad input naming --nats', () => {
    for (const bad of ['not a url', 'http://a:4222', 'nats://', 'nats://a:1,??']) {
      const error = (() => {
        try {
          natsFlagsFrom({ nats: bad }, {});
        } catch (e) {
          return e;
        }
      })();
      expect(error, bad).toBeInstanceOf(KevoError);
      expect((error as KevoError).code).toBe('BAD_INPUT');
      expect((error as KevoError).message).toMatch(/^--nats \(or NATS_URL\): expected nats:\/\/host:port/);
    }
    for (const good of ['nats://a:4222', 'tls://a.b:4443', '127.0.0.1:4222', 'nats://u:p@a:1, nats://b:2']) expect(natsFlagsFrom({ nats: good }, {}).nats).toBe(good);
  });
});

describe('natsConnectionOptions', () => {
  it('splits several URLs, reconnects forever, and passes auth and TLS through', () => {
    const options = natsConnectionOptions(
      { nats: 'nats://a:1, nats://b:2', natsUser: 'u', natsPassword: 'p', natsTlsCa: 'ca.pem', natsTlsCert: 'c.pem', natsTlsKey: 'k.pem' },
      'kevo-test',
    );
    expect(options).toMatchObject({
      servers: ['nats://a:1', 'nats://b:2'],
      name: 'kevo-test',
      maxReconnectAttempts: -1,
      user: 'u',
      pass: 'p',
      tls: { caFile: 'ca.pem', certFile: 'c.pem', keyFile: 'k.pem' },
    });
  });

  it('says which secret file it cannot read', () => {
    expect(() => natsConnectionOptions({ natsCreds: '/nonexistent/kevo.creds' }, 'x')).toThrow(/cannot read NATS creds file \/nonexistent\/kevo.creds/);
  });
});

describe('connectNats', () => {
  it('fails with UNAVAILABLE naming the URL when no server answers', async () => {
    const server = await NatsServer.start();
    const url = server.url;
    await server.dispose();
    const error = await connectNats({ servers: url, maxReconnectAttempts: -1 }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(KevoError);
    expect((error as KevoError).code).toBe('UNAVAILABLE');
    expect((error as KevoError).message).toContain(url);
  });

  it('never prints the password of a URL', async () => {
    const server = await NatsServer.start();
    const url = server.url.replace('nats://', 'nats://kevo:s3cret-pw@');
    await server.dispose();
    const error = await connectNats({ servers: url, maxReconnectAttempts: -1 }).then(() => undefined, (e: unknown) => e);
    expect((error as KevoError).message).toContain(server.url.replace('nats://', 'nats://kevo:***@'));
    expect(String((error as KevoError).message)).not.toContain('s3cret-pw');
    expect((error as KevoError).cause).toBeUndefined();
  });
});
