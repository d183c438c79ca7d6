import { jetstreamManager } from '@nats-io/jetstream';
import type { Command } from 'commander';
import { listWorkers } from '../coordinator/transport/nats-workers.ts';
import { connectNats } from '../lib/nats-options.ts';
import { natsNames, NatsTopology, workersBucket } from '../protocol/nats/topology.ts';
import type { WorkerInfo } from '../protocol/worker-info.ts';
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

/** The live workers (the workers bucket's heartbeats) on demand, until closed: `kevo workers` lists them once, `kevo serve --nats` on every ask. */
export async function openWorkerListing(options: Record<string, unknown>, clientName: string): Promise<{ list: () => Promise<WorkerInfo[]>; close: () => Promise<void> }> {
  const connection = await connectNats(natsConnectionOptions(natsFlagsFrom(options), clientName));
  const topology = NatsTopology.parse({});
  const [jsm, bucket] = await Promise.all([jetstreamManager(connection), workersBucket(connection, topology)]);
  return { list: () => listWorkers(jsm, bucket, natsNames(topology.prefix).workersBucket), close: () => connection.close() };
}
