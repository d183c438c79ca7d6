import { z } from 'zod';
import {
  AckPolicy,
  JetStreamApiCodes,
  DeliverPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerInfo,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { nanos } from '@nats-io/transport-node';
import { KevoError } from '../../lib/errors.ts';
import { canonicalHash } from '../../lib/hash.ts';
import { LLM_CAPABILITY, type Job } from '../job.ts';

/** A subject token and a stream/consumer/bucket name at once: no dots, wildcards or spaces. */
const token = z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'letters, digits, _ and - only' });

/**
 * The JetStream layout both sides agree on. Every name derives from `prefix`,
 * so each test (and each deployment) can have its own streams on one server.
 * Whichever side creates a consumer first fixes its ack_wait and max_deliver.
 */
export const NatsTopology = z
  .object({
    prefix: token.max(64).default('kevo'),
    /** Past this without an ack or working(), a job is redelivered to another worker. */
    ackWaitMs: z.number().int().min(100).max(3_600_000).default(30_000),
    /** Deliveries before a job becomes a dead_letter result. */
    maxDeliver: z.number().int().min(1).max(1_000).default(5),
    /** Worker heartbeats older than this vanish from the bucket (bucket TTL: 2.9 ignores per-key TTL). */
    heartbeatTtlMs: z.number().int().min(1_000).max(3_600_000).default(15_000),
  })
  .strict();
export type NatsTopology = z.infer<typeof NatsTopology>;
export type NatsTopologyInput = z.input<typeof NatsTopology>;

export interface NatsNames {
  readonly jobsStream: string;
  readonly resultsStream: string;
  /** Every campaign's results: `resultsSubject(campaignId)` is one campaign's. */
  readonly allResults: string;
  resultsSubject(campaignId: string): string;
  /** Captures MAX_DELIVERIES advisories so none is lost while no coordinator listens. */
  readonly deadLetterStream: string;
  readonly workersBucket: string;
}

export function natsNames(prefix: string): NatsNames {
  return {
    jobsStream: `${prefix}_jobs`,
    resultsStream: `${prefix}_results`,
    allResults: `${prefix}.results.>`,
    // A campaign id that is not a subject token is hashed into one.
    resultsSubject: (campaignId) => `${prefix}.results.${token.safeParse(campaignId).success ? campaignId : canonicalHash(campaignId)}`,
    deadLetterStream: `${prefix}_dead_letters`,
    workersBucket: `${prefix}_workers`,
  };
}

/**
 * Where a job waits: the one worker a promote job names, else its device
 * class if it names one (it must be timed there), else any worker of its
 * genome's backend; a review, any worker with an LLM.
 */
export function jobRoute(job: Job): string {
  if (job.kind === 'review') return `any.${LLM_CAPABILITY}`;
  if (job.kind === 'promote' && job.worker !== undefined) return workerRoute(job.worker);
  if (job.deviceClassId === undefined) return `any.${job.kind === 'promote' ? job.genomes[0]!.backend : job.genome.backend}`;
  const parsed = token.safeParse(job.deviceClassId);
  if (!parsed.success) throw new KevoError('BAD_INPUT', `deviceClassId "${job.deviceClassId}": letters, digits, _ and - only`);
  return `dc.${job.deviceClassId}`;
}

/** The routes a worker serves: each of its device classes, each backend it has for unpinned jobs, and its own (jobs for it by name). */
export function workerRoutes(deviceClassIds: readonly string[], backends: readonly string[], name: string): string[] {
  return [...deviceClassIds.map((id) => `dc.${id}`), ...backends.map((b) => `any.${b}`), workerRoute(name)];
}

/** One worker's own route; a name that is not a subject token (it may hold dots) is hashed into one. */
export function workerRoute(name: string): string {
  return `w.${token.safeParse(name).success ? name : canonicalHash(name)}`;
}

export const jobSubject = (prefix: string, route: string): string => `${prefix}.jobs.${route}`;
/** One shared durable per route: a work-queue stream allows one consumer per subject, and workers split its messages. */
export const jobConsumerName = (route: string): string => `jobs_${route.replace('.', '_')}`;
export const maxDeliveriesSubject = (jobsStream: string): string =>
  `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${jobsStream}.*`;

/** Under the server's default max_payload (1 MiB) with room for headers; a job's source text is at most 200k characters. */
export const MAX_JOB_BYTES = 960 * 1024;

/** How long results and dead letters wait for a coordinator that never comes back. */
export const RETENTION_MS = 7 * 24 * 3_600_000;
const RETENTION_NS = nanos(RETENTION_MS);
const STREAM_IN_USE = 10058;

/** Create the streams if missing; an existing stream is left as it is (another side made it first). */
export async function ensureStreams(jsm: JetStreamManager, topology: NatsTopology): Promise<NatsNames> {
  const names = natsNames(topology.prefix);
  await addStream(jsm, {
    name: names.jobsStream,
    subjects: [`${topology.prefix}.jobs.>`],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
  });
  // Interest: a result lives until every coordinator durable acked it, so none is lost while they are down.
  await addStream(jsm, {
    name: names.resultsStream,
    subjects: [names.allResults],
    retention: RetentionPolicy.Interest,
    storage: StorageType.File,
    max_age: RETENTION_NS,
  });
  await addStream(jsm, {
    name: names.deadLetterStream,
    subjects: [maxDeliveriesSubject(names.jobsStream)],
    retention: RetentionPolicy.Interest,
    storage: StorageType.File,
    max_age: RETENTION_NS,
  });
  return names;
}

async function addStream(jsm: JetStreamManager, config: Parameters<JetStreamManager['streams']['add']>[0]): Promise<void> {
  try {
    await jsm.streams.add(config);
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === STREAM_IN_USE) return;
    throw error;
  }
}

/** The shared pull consumer of one route, created with this side's ack_wait and max_deliver if missing. */
export async function ensureJobConsumer(jsm: JetStreamManager, topology: NatsTopology, route: string): Promise<ConsumerInfo> {
  const { jobsStream } = natsNames(topology.prefix);
  return ensureConsumer(jsm, jobsStream, {
    filter_subject: jobSubject(topology.prefix, route),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(topology.ackWaitMs),
    max_deliver: topology.maxDeliver,
    // One pull per free thread per worker: allow plenty waiting at once.
    max_waiting: 4_096,
    durable_name: jobConsumerName(route),
  });
}

/** A durable consumer, created if missing; an existing one keeps its config. */
export async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: Parameters<JetStreamManager['consumers']['add']>[1] & { durable_name: string },
): Promise<ConsumerInfo> {
  try {
    return await jsm.consumers.info(stream, config.durable_name);
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)) throw error;
    try {
      return await jsm.consumers.add(stream, config);
    } catch (raced) {
      // Another worker created it between our info and add: fine, it is shared.
      return jsm.consumers.info(stream, config.durable_name).catch(() => Promise.reject(raced));
    }
  }
}

export async function workersBucket(connection: NatsConnection, topology: NatsTopology): Promise<KV> {
  return new Kvm(connection).create(natsNames(topology.prefix).workersBucket, {
    history: 1,
    ttl: topology.heartbeatTtlMs,
    storage: StorageType.File,
  });
}
