import { encodeResultBatches, type EncodedBatch } from '../../protocol/nats/result-batch.ts';
import type { Result } from '../../protocol/result.ts';

interface Waiting {
  readonly result: Result;
  stored(): void;
  failed(error: unknown): void;
}

/**
 * Results finished in the same turn of the event loop go out together, as
 * few messages as encodeResultBatches makes: under load one publish and one
 * stream ack serve many jobs. A batch never waits for an earlier one's ack.
 */
export class ResultBatches {
  private waiting: Waiting[] = [];
  private scheduled = false;

  constructor(private readonly publish: (batch: EncodedBatch) => Promise<void>) {}

  /** Resolves once the stream has stored the Result (rejects if its batch could not be stored). */
  store(result: Result): Promise<void> {
    return new Promise((stored, failed) => {
      this.waiting.push({ result, stored, failed });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = false;
    const waiting = this.waiting;
    this.waiting = [];
    const byResult = new Map(waiting.map((w) => [w.result, w]));
    for (const batch of encodeResultBatches(waiting.map((w) => w.result))) {
      const members = batch.results.map((result) => byResult.get(result)!);
      this.publish(batch).then(
        () => members.forEach((m) => m.stored()),
        (error: unknown) => members.forEach((m) => m.failed(error)),
      );
    }
  }
}
