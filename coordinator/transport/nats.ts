import { z } from 'zod';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type Consumer, type ConsumerMessages, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { NatsConnection, NodeConnectionOptions } from '@nats-io/transport-node';
import { nanos } from '@nats-io/transport-node';
import { KevoError, parseOrThrow } from '../../lib/errors.ts';
import { silentLogger, type Logger } from '../../lib/log.ts';
import { connectNats } from '../../lib/nats-options.ts';
import type { Job } from '../../protocol/job.ts';
import type { Result } from '../../protocol/result.ts';
import { deadLetter } from './nats-dead-letters.ts';
import { HeldMessages } from './nats-held.ts';
import { publishDurably, publishResultBatch } from '../../protocol/nats/publish.ts';
import { decodeResultBatch, encodeResultBatches } from '../../protocol/nats/result-batch.ts';
import { ensureConsumer, ensureJobConsumer, ensureStreams, jobRoute, jobSubject, MAX_JOB_BYTES, natsNames, NatsTopology, RETENTION_MS, workersBucket } from '../../protocol/nats/topology.ts';
import { listWorkers } from './nats-workers.ts';
import type { WorkerInfo } from '../../protocol/worker-info.ts';
import type { Transport } from './transport.ts';

export const NatsTransportOptions = NatsTopology.extend({
  /**
   * The results consumer's durable name: results published while this
   * coordinator is down wait for it. One per coordinator (or campaign) name.
   */
  durable: z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'letters, digits, _ and - only' }).max(64).default('coordinator'),
  /** Only this campaign's results, so a finished campaign's results do not wait in the stream for another's durable. */
  campaignId: z.string().min(1).max(200).optional(),
  /** How long submit() and dead-lettering wait out a server restart before failing. */
  publishPatienceMs: z.number().int().min(0).max(600_000).default(30_000),
}).strict();
export type NatsTransportOptions = z.input<typeof NatsTransportOptions>;

/** Held results are kept alive (HeldMessages), so this only delays a resumed coordinator's redeliveries. */
const RESULT_ACK_WAIT_MS = 5_000;
/**
 * Results messages buffered ahead of ingest, bounded by bytes: a message is a
 * batch of up to 512 KiB, so a count would allow hundreds of MiB. It must
 * exceed the largest message (the server's max_payload, 1 MiB by default).
 */
const RESULT_BUFFER_BYTES = 4 * 2 ** 20;

/**
 * Jobs go to a JetStream work-queue stream, one subject per route (device
 * class, or any worker of a backend); results come back on a stream read by a
 * durable consumer; workers heartbeat into a KV bucket.
 *
 * Acks: a results message holds a worker's batch of Results; results() acks
 * it when the caller asks for the Result after its last, i.e. after the loop
 * body that ingested that one has finished. A result the caller never
 * got past (a crash, a break, close()) is redelivered to this durable within
 * seconds (held ones are kept alive meanwhile, see HeldMessages);
 * ingest is idempotent by jobId, so that is safe.
 */
export class NatsTransport implements Transport {
  readonly name = 'nats';
  readonly durable = true;
  private readonly routes = new Map<string, Promise<unknown>>();
  private readonly streams: ConsumerMessages[] = [];
  private closing: Promise<void> | undefined;
  private consuming = false;
  private held: HeldMessages | undefined;

  private constructor(
    private readonly connection: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly consumers: { results: Consumer; deadLetters: Consumer },
    private readonly bucket: KV,
    private readonly options: z.output<typeof NatsTransportOptions>,
    private readonly log: Logger,
  ) {}

  static async open(connection: NodeConnectionOptions, options: NatsTransportOptions = {}, log: Logger = silentLogger): Promise<NatsTransport> {
    const parsed = parseOrThrow(NatsTransportOptions, options, 'NATS transport options');
    const nc = await connectNats(connection, log);
    try {
      const jsm = await jetstreamManager(nc);
      const names = await ensureStreams(jsm, parsed);
      const consumer = {
        durable_name: parsed.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(RESULT_ACK_WAIT_MS),
        // A campaign never resumed lets go of its results when the stream would have dropped them anyway.
        inactive_threshold: nanos(RETENTION_MS),
      };
      const js = jetstream(nc);
      const resultsFilter = parsed.campaignId === undefined ? names.allResults : names.resultsSubject(parsed.campaignId);
      const results = js.consumers.getConsumerFromInfo(await ensureConsumer(jsm, names.resultsStream, { ...consumer, filter_subject: resultsFilter }));
      const deadLetters = js.consumers.getConsumerFromInfo(await ensureConsumer(jsm, names.deadLetterStream, consumer));
      const transport = new NatsTransport(nc, js, jsm, { results, deadLetters }, await workersBucket(nc, parsed), parsed, log);
      transport.watchDeadLetters().catch((error: unknown) => {
        if (!transport.closing) log.error({ err: error }, 'stopped watching for dead letters');
      });
      return transport;
    } catch (error) {
      await nc.close();
      throw new KevoError('UNAVAILABLE', `NATS JetStream setup failed: ${(error as Error).message}`, { cause: error });
    }
  }

  async submit(job: Job): Promise<void> {
    if (this.closing) throw new KevoError('FAILURE', 'NATS transport is closed');
    const route = jobRoute(job);
    const payload = JSON.stringify(job);
    if (Buffer.byteLength(payload) > MAX_JOB_BYTES) {
      throw new KevoError('BAD_INPUT', `job ${job.jobId} is ${Buffer.byteLength(payload)} bytes; at most ${MAX_JOB_BYTES} go over NATS`);
    }
    await this.ensureRoute(route);
    // msgID: a job submitted again on resume, within the stream's duplicate window, is not queued twice.
    await publishDurably(this.js, jobSubject(this.options.prefix, route), payload, job.jobId, this.options.publishPatienceMs);
  }

  results(): AsyncIterable<Result> {
    if (this.consuming) throw new KevoError('FAILURE', 'results() is already being consumed');
    this.consuming = true;
    return this.iterateResults();
  }

  async workers(): Promise<WorkerInfo[]> {
    return listWorkers(this.jsm, this.bucket, natsNames(this.options.prefix).workersBucket);
  }

  /** Results messages received and not yet acked: buffered, or being ingested. */
  get unacked(): number {
    return this.held?.size ?? 0;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all(this.streams.map((s) => s.close()));
      await this.connection.drain().catch(() => this.connection.close());
    })();
    return this.closing;
  }

  private async *iterateResults(): AsyncGenerator<Result> {
    const messages = await this.consume(this.consumers.results);
    if (!messages) return;
    const held = new HeldMessages(messages, RESULT_ACK_WAIT_MS / 3);
    this.held = held;
    for await (const message of held) {
      if (this.closing) return;
      const batch = decodeResultBatch(message.data);
      if (!batch.ok) {
        this.log.error({ seq: message.seq, reason: batch.reason }, 'dropped a malformed result message');
        // No reason text: nats-server 2.9 ignores `+TERM <reason>`.
        message.term();
        held.release(message);
        continue;
      }
      for (const reason of batch.rejected) this.log.error({ seq: message.seq, reason }, 'dropped a malformed result');
      for (const result of batch.results) {
        yield result;
        if (this.closing) return;
      }
      // The whole batch is ingested: a crash before this redelivers all of it, and ingest is idempotent.
      message.ack();
      held.release(message);
    }
  }

  /** MAX_DELIVERIES advisories, captured by a stream, each turned into a stored dead_letter result. */
  private async watchDeadLetters(): Promise<void> {
    const messages = await this.consume(this.consumers.deadLetters);
    if (!messages) return;
    for await (const message of messages) {
      try {
        await deadLetter(message, this.jsm, (result) => this.publishResult(result), `coordinator:${this.options.durable}`, this.log);
        message.ack();
      } catch (error) {
        if (this.closing) return;
        this.log.warn({ err: error }, 'dead-lettering failed; will retry');
        message.nak(1_000);
      }
    }
  }

  private async consume(consumer: Consumer): Promise<ConsumerMessages | undefined> {
    if (this.closing) return undefined;
    const messages = await consumer.consume({ max_bytes: RESULT_BUFFER_BYTES });
    this.streams.push(messages);
    return messages;
  }

  private publishResult(result: Result): Promise<void> {
    return publishResultBatch(this.js, this.options.prefix, encodeResultBatches([result])[0]!, this.options.publishPatienceMs);
  }

  private ensureRoute(route: string): Promise<unknown> {
    let ready = this.routes.get(route);
    if (!ready) {
      ready = ensureJobConsumer(this.jsm, this.options, route);
      ready.catch(() => this.routes.delete(route));
      this.routes.set(route, ready);
    }
    return ready;
  }
}
