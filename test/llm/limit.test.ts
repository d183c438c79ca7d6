import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from '../../llm/limit.ts';

describe('ConcurrencyLimit', () => {
  it('starts at most `limit` tasks and the next one as each ends, in arrival order', async () => {
    const limit = new ConcurrencyLimit(2);
    const started: number[] = [];
    const finish: (() => void)[] = [];
    const runs = [0, 1, 2, 3].map((i) =>
      limit.run(
        () =>
          new Promise<number>((resolve) => {
            started.push(i);
            finish[i] = () => resolve(i);
          }),
      ),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(limit.inFlight).toBe(2);
    finish[1]!();
    await runs[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    finish[0]!();
    finish[2]!();
    await Promise.all([runs[0], runs[2]]);
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2, 3]);
    finish[3]!();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(limit.inFlight).toBe(0);
  });

  it('frees its slot when a task throws', async () => {
    const limit = new ConcurrencyLimit(1);
    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limit.run(async () => 'next')).toBe('next');
  });

  it.each([0, 1.5, -1])('rejects a limit of %s', (n) => {
    expect(() => new ConcurrencyLimit(n)).toThrow(RangeError);
  });
});
