import { describe, expect, it } from 'vitest';
import { progressBar } from '../../cli/progress.ts';
import type { Progress } from '../../coordinator/campaign.ts';

/** A stand-in terminal: the bar draws only on a TTY. */
function terminal() {
  const written: string[] = [];
  const stream = {
    isTTY: true,
    columns: 200,
    write: (text: string | Uint8Array) => written.push(String(text)) > 0,
  };
  return { stream, written };
}

const progress: Progress = { campaignId: 'c', problem: 'matmul:64x64x64:f32', asked: 4, budget: 8, evaluated: 4, cached: 0, failures: 1, bestGflops: 48.4, bestSpeedup: 2.73, workers: 1, outstanding: 0, llm: undefined };

describe('progressBar', () => {
  it('shows the best by speedup, with that kernel GFLOP/s beside it', () => {
    const { stream, written } = terminal();
    const bar = progressBar(stream);
    bar.update(progress);
    expect(written.at(-1)).toContain('best 2.73x (48.4 GFLOP/s)');
    bar.update({ ...progress, bestGflops: undefined, bestSpeedup: undefined });
    expect(written.at(-1)).toContain('best -');
  });
});
