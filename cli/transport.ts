import { availableParallelism, hostname } from 'node:os';
import type { Backend } from '../genome/genome.ts';
import { EmbeddedTransport } from '../coordinator/transport/embedded.ts';
import type { Transport } from '../coordinator/transport/transport.ts';
import type { Logger } from '../lib/log.ts';
import { Evaluator } from '../worker/evaluator.ts';
import { endpointOf, type LlmOptions } from '../llm/options.ts';
import { createReviewWorker } from '../verifiers/llm-review.ts';
import { openNatsTransport, wantsNats } from './nats.ts';

/** The command's flags: --nats and its connection flags (see cli/nats.ts); no URL means embedded. */
export type TransportFlags = Record<string, unknown>;

/**
 * Embedded by default: a worker pool in this process, created before anything
 * is written, so a backend this machine cannot run fails at once.
 */
export async function openTransport(
  flags: TransportFlags,
  need: { backend: Backend; threads?: number; relaxedSimd: boolean; campaignId: string; llm?: LlmOptions },
  log: Logger,
): Promise<Transport> {
  if (wantsNats(flags)) return openNatsTransport(flags, need.campaignId, log);
  const threads = need.threads ?? availableParallelism();
  const name = `embedded@${hostname()}`;
  // The in-process worker answers the campaign's review jobs itself when the spec asks for reviews.
  const review = need.llm && need.llm.review !== 'off' ? createReviewWorker(endpointOf(need.llm), name, log) : undefined;
  const evaluator = await Evaluator.create({ threads, backends: [need.backend], relaxedSimd: need.relaxedSimd, name, log, ...(review ? { review } : {}) });
  return new EmbeddedTransport(evaluator, threads, true);
}
