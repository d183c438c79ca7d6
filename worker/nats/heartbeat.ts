import type { KV } from '@nats-io/kv';
import type { WorkerInfo } from '../../protocol/worker-info.ts';
import type { Logger } from '../../lib/log.ts';

/**
 * Keeps this worker's entry in the heartbeat bucket fresh. The bucket's TTL
 * removes the entry of a worker that died; a clean stop deletes it at once.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly bucket: KV,
    private readonly describe: () => WorkerInfo,
    private readonly everyMs: number,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.everyMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.bucket.delete(this.describe().name).catch((error: unknown) => this.log.warn({ err: error }, 'could not remove the heartbeat entry'));
  }

  private async beat(): Promise<void> {
    const info = this.describe();
    // A missed beat (server restarting) is harmless: the next one refreshes the entry.
    await this.bucket.put(info.name, JSON.stringify(info)).catch((error: unknown) => this.log.debug({ err: error }, 'heartbeat failed'));
  }
}
