import { describe, expect, it } from 'vitest';
import { compareBest, sortBest } from '../../../coordinator/store/best.ts';
import type { Timing } from '../../../protocol/result.ts';

const timing = (speedup: number, gflops: number, medianMs = 1): Timing => ({
  medianMs,
  p10Ms: medianMs,
  p90Ms: medianMs,
  samples: 5,
  gflops,
  baselineMedianMs: medianMs * speedup,
  baselineGflops: gflops / speedup,
  speedup,
});

describe('best', () => {
  it('is the highest speedup, whatever the GFLOP/s; ties by GFLOP/s, then the lower median', () => {
    expect(compareBest(timing(3, 10), timing(2, 50))).toBeLessThan(0);
    expect(compareBest(timing(2, 50), timing(3, 10))).toBeGreaterThan(0);
    expect(compareBest(timing(2, 50), timing(2, 10))).toBeLessThan(0);
    expect(compareBest(timing(2, 10, 1), timing(2, 10, 3))).toBeLessThan(0);
    expect(compareBest(timing(2, 10), timing(2, 10))).toBe(0);
  });

  it('sorts the verified items best first and leaves out those without a timing', () => {
    const items = [{ id: 'slow', timing: timing(1.5, 40) }, { id: 'failed' }, { id: 'best', timing: timing(2.7, 20) }];
    expect(sortBest(items).map((i) => i.id)).toEqual(['best', 'slow']);
  });
});
