import type { Command } from 'commander';
import { NatsTransport } from '../coordinator/transport/nats.ts';
import type { Transport } from '../coordinator/transport/transport.ts';
import type { Logger } from '../lib/log.ts';
import { natsConnectionOptions, natsFlagsFrom } from '../lib/nats-options.ts';

/** The connection flags every NATS-speaking command takes; each falls back to its environment variable. */
export function addNatsOptions(command: Command): Command {
  return command
    .option('--nats <url>', 'NATS server URL(s), comma-separated (env NATS_URL)')
    .option('--nats-user <user>', 'NATS user (env NATS_USER)')
    .option('--nats-password <password>', 'NATS password (env NATS_PASSWORD)')
    .option('--nats-token <token>', 'NATS token (env NATS_TOKEN)')
    .option('--nats-nkey <file>', 'file holding an nkey seed (env NATS_NKEY)')
    .option('--nats-creds <file>', 'NATS .creds file (env NATS_CREDS)')
    .option('--nats-tls-ca <file>', 'CA certificate to trust (env NATS_CA)')
    .option('--nats-tls-cert <file>', 'client certificate (env NATS_CERT)')
    .option('--nats-tls-key <file>', 'client key (env NATS_KEY)');
}

/** Whether the user asked for NATS at all: a flag, or NATS_URL in the environment. */
export function wantsNats(options: Record<string, unknown>): boolean {
  return options.nats !== undefined || (process.env.NATS_URL ?? '') !== '';
}

export async function openNatsTransport(options: Record<string, unknown>, campaignId: string, log: Logger): Promise<Transport> {
  const flags = natsFlagsFrom(options);
  return NatsTransport.open(natsConnectionOptions(flags, `kevo-coordinator-${campaignId}`), { durable: campaignId, campaignId }, log);
}
