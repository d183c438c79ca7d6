import { describe, expect, it } from 'vitest';
import { FreeThreads } from '../../../worker/nats/free-threads.ts';

describe('FreeThreads', () => {
  it('hands out every idle thread at once, then waits for one to be released', async () => {
    const idle = new FreeThreads(3);
    const signal = new AbortController().signal;
    expect(await idle.takeAll(signal)).toBe(3);
    const next = idle.takeAll(signal);
    idle.release(1);
    expect(await next).toBe(1);
  });

  it('gives 0 once aborted, also to a waiting taker', async () => {
    const idle = new FreeThreads(1);
    const stop = new AbortController();
    await idle.takeAll(stop.signal);
    const waiting = idle.takeAll(stop.signal);
    stop.abort();
    expect(await waiting).toBe(0);
    expect(await idle.takeAll(stop.signal)).toBe(0);
  });

  it('tells when no thread is busy', async () => {
    const idle = new FreeThreads(2);
    await idle.takeAll(new AbortController().signal);
    let done = false;
    const all = idle.allIdle().then(() => (done = true));
    idle.release(1);
    await Promise.resolve();
    expect(done).toBe(false);
    idle.release(1);
    await all;
    expect(done).toBe(true);
  });
});
