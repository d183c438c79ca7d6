import { describe, expect, it } from 'vitest';
import { AsyncQueue } from '../../lib/async-queue.ts';

describe('AsyncQueue', () => {
  it('delivers pushed items in order to a waiting consumer and ends on close', async () => {
    const queue = new AsyncQueue<number>();
    const seen: number[] = [];
    const consumer = (async () => {
      for await (const n of queue) seen.push(n);
    })();
    queue.push(1);
    await Promise.resolve();
    queue.push(2);
    queue.push(3);
    queue.close();
    queue.push(4);
    await consumer;
    expect(seen).toEqual([1, 2, 3]);
  });
});
