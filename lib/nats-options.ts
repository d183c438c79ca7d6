import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  AuthorizationError,
  connect,
  credsAuthenticator,
  nkeyAuthenticator,
  type NatsConnection,
  type NodeConnectionOptions,
} from '@nats-io/transport-node';
import { KevoError } from './errors.ts';
import { flagName } from './flags.ts';
import { redactUrls } from './quote.ts';
import { silentLogger, type Logger } from './log.ts';

const path = z.string().min(1, { error: 'expected a file path' });

/** What a user can say about reaching NATS, from CLI flags or the environment (flags win). */
export const NatsFlags = z
  .object({
    /** One URL or several, comma-separated. */
    nats: z
      .string()
      .refine((urls) => urls.split(',').every((url) => isNatsUrl(url.trim())), {
        error: 'expected nats://host:port (or tls://, or host:port), several comma-separated',
      })
      .optional(),
    natsUser: z.string().min(1).optional(),
    natsPassword: z.string().optional(),
    natsToken: z.string().min(1).optional(),
    /** A file holding an nkey seed (SU...). */
    natsNkey: path.optional(),
    /** A .creds file (JWT + nkey seed), as `nsc` writes them. */
    natsCreds: path.optional(),
    natsTlsCa: path.optional(),
    natsTlsCert: path.optional(),
    natsTlsKey: path.optional(),
  })
  .strict()
  .refine((f) => (f.natsTlsCert === undefined) === (f.natsTlsKey === undefined), {
    message: 'TLS client certificate and key go together: give both or neither',
    path: ['natsTlsCert'],
  })
  .refine((f) => f.natsPassword === undefined || f.natsUser !== undefined, {
    message: 'a NATS password needs a user',
    path: ['natsPassword'],
  });
export type NatsFlags = z.infer<typeof NatsFlags>;

const ENVIRONMENT: Record<keyof NatsFlags, string> = {
  nats: 'NATS_URL',
  natsUser: 'NATS_USER',
  natsPassword: 'NATS_PASSWORD',
  natsToken: 'NATS_TOKEN',
  natsNkey: 'NATS_NKEY',
  natsCreds: 'NATS_CREDS',
  natsTlsCa: 'NATS_CA',
  natsTlsCert: 'NATS_CERT',
  natsTlsKey: 'NATS_KEY',
};

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';

/**
 * Flags override the environment variables of ENVIRONMENT; unknown flags are
 * not ours and are ignored. An error names the flag and its variable, and
 * never echoes a value (it may be a secret).
 */
export function natsFlagsFrom(flags: Partial<Record<string, unknown>>, env: NodeJS.ProcessEnv = process.env): NatsFlags {
  const merged: Record<string, unknown> = {};
  for (const [key, variable] of Object.entries(ENVIRONMENT)) {
    const value = flags[key] ?? env[variable];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  const parsed = NatsFlags.safeParse(merged);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = String(issue.path[0]) as keyof NatsFlags;
  throw new KevoError('BAD_INPUT', `${flagName(key)} (or ${ENVIRONMENT[key]}): ${issue.message}`);
}

function isNatsUrl(text: string): boolean {
  try {
    const url = new URL(text.includes('://') ? text : `nats://${text}`);
    return (url.protocol === 'nats:' || url.protocol === 'tls:') && url.hostname !== '' && !/\s/.test(text);
  } catch {
    return false;
  }
}


/** Client options: reconnect forever (workers outlive server restarts), auth and TLS as given. */
export function natsConnectionOptions(flags: NatsFlags, name: string): NodeConnectionOptions {
  const options: NodeConnectionOptions = {
    servers: (flags.nats ?? DEFAULT_NATS_URL).split(',').map((s) => s.trim()).filter((s) => s !== ''),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1_000,
  };
  if (flags.natsUser !== undefined) {
    options.user = flags.natsUser;
    options.pass = flags.natsPassword ?? '';
  }
  if (flags.natsToken !== undefined) options.token = flags.natsToken;
  if (flags.natsCreds !== undefined) options.authenticator = credsAuthenticator(readSecret(flags.natsCreds, 'creds'));
  else if (flags.natsNkey !== undefined) {
    const seed = new TextDecoder().decode(readSecret(flags.natsNkey, 'nkey seed')).trim();
    options.authenticator = nkeyAuthenticator(new TextEncoder().encode(seed));
  }
  if (flags.natsTlsCa !== undefined || flags.natsTlsCert !== undefined) {
    options.tls = { caFile: flags.natsTlsCa, certFile: flags.natsTlsCert, keyFile: flags.natsTlsKey };
  }
  return options;
}

function readSecret(file: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (error) {
    throw new KevoError('BAD_INPUT', `cannot read NATS ${what} file ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Connect or say clearly why not: UNAVAILABLE naming the URL when no server
 * answers, BAD_INPUT when the server refused the credentials (the user's to fix).
 */
export async function connectNats(options: NodeConnectionOptions, log: Logger = silentLogger): Promise<NatsConnection> {
  const where = redactUrls(([] as string[]).concat(options.servers ?? DEFAULT_NATS_URL).join(','));
  let connection: NatsConnection;
  try {
    // Async traces capture a stack per request: at thousands of jobs a second that was the largest CPU cost.
    connection = await connect({ noAsyncTraces: true, ...options });
  } catch (error) {
    if (error instanceof AuthorizationError || /authorization violation/i.test(String(error))) {
      throw new KevoError('BAD_INPUT', `NATS at ${where} refused the credentials (authorization violation): check user/password, token, nkey or creds`, { cause: error });
    }
    // No cause: its message may hold a URL with its password.
    throw new KevoError('UNAVAILABLE', `cannot connect to NATS at ${where}: ${redactUrls((error as Error).message)}`);
  }
  void watchStatus(connection, where, log);
  return connection;
}

async function watchStatus(connection: NatsConnection, where: string, log: Logger): Promise<void> {
  for await (const status of connection.status()) {
    if (status.type === 'disconnect') log.warn({ server: where }, 'NATS disconnected; reconnecting');
    else if (status.type === 'reconnect') log.info({ server: where }, 'NATS reconnected');
    else if (status.type === 'error') log.error({ server: where, err: status.error }, 'NATS error');
  }
}
