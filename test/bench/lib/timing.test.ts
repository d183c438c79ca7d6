import { describe, expect, it } from 'vitest';
import { measure, pairedRatio, type Contender } from '../../../bench/lib/timing.ts';

describe('bench timing', () => {
  it('pairs ratios by round, so a drift shared by both contenders cancels', () => {
    const samples = new Map([
      ['fast', [10, 40, 20, 80]],
      ['slow', [5, 20, 10, 40]],
    ]);
    expect(pairedRatio(samples, 'fast', 'slow')).toBe(2);
  });

  it('warms up, then takes one sample per round from each contender in turn', async () => {
    const calls: string[] = [];
    const contender = (name: string): Contender => ({
      name,
      flops: 1e6,
      async time(times) {
        calls.push(`${name}x${times}`);
        // burn a little CPU: samples are CPU time
        const until = performance.now() + 0.2 * times;
        while (performance.now() < until);
        return 1;
      },
    });
    const samples = await measure([contender('a'), contender('b')], { rounds: 2, sampleMs: 5 });
    expect(calls).toEqual(['ax3', 'ax1', 'bx3', 'bx1', 'ax5', 'bx5', 'ax5', 'bx5']);
    expect(samples.get('a')).toHaveLength(2);
    expect(samples.get('b')!.every((gflops) => gflops > 0)).toBe(true);
  });
});
