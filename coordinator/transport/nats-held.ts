import type { JsMsg } from '@nats-io/jetstream';
import { AsyncQueue } from '../../lib/async-queue.ts';

/**
 * Messages this coordinator has received and not yet acked (buffered, or
 * handed to the caller and being ingested), kept alive with working(). So the
 * consumer's ack_wait can be short: it only runs out for a coordinator that
 * died, and a resumed one gets those messages again within seconds.
 */
export class HeldMessages implements AsyncIterable<JsMsg> {
  private readonly queue = new AsyncQueue<JsMsg>();
  private readonly held = new Set<JsMsg>();
  private readonly timer: NodeJS.Timeout;

  constructor(source: AsyncIterable<JsMsg>, keepAliveMs: number) {
    this.timer = setInterval(() => this.keepAlive(), keepAliveMs);
    void this.pump(source);
  }

  /** Received and not yet acked or termed. */
  get size(): number {
    return this.held.size;
  }

  /** Acked or termed: no longer ours to keep alive. */
  release(message: JsMsg): void {
    this.held.delete(message);
  }

  [Symbol.asyncIterator](): AsyncIterator<JsMsg> {
    return this.queue[Symbol.asyncIterator]();
  }

  private async pump(source: AsyncIterable<JsMsg>): Promise<void> {
    try {
      for await (const message of source) {
        this.held.add(message);
        this.queue.push(message);
      }
    } finally {
      clearInterval(this.timer);
      this.queue.close();
    }
  }

  private keepAlive(): void {
    try {
      for (const message of this.held) message.working();
    } catch {
      // The connection is closing; the server redelivers what was not acked.
    }
  }
}
