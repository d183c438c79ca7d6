import { describe, expect, it } from 'vitest';
import { soakCampaign } from '../../testkit/soak.ts';

describe('a long campaign over NATS', () => {
  it("keeps the coordinator's in-memory bookkeeping bounded: nothing waited for or held between generations", async () => {
    const samples: { evaluations: number; outstanding: number; unacked: number }[] = [];
    const run = await soakCampaign({
      evaluations: 3_000,
      population: 250,
      threads: 16,
      onGeneration: (progress, transport) => samples.push({ evaluations: progress.evaluated, outstanding: progress.outstanding, unacked: transport.unacked }),
    });
    expect(run).toMatchObject({ status: 'done', evaluations: 3_000, failures: 0 });
    // One report before the first generation, then one per generation.
    expect(samples).toHaveLength(1 + 3_000 / 250);
    expect(samples.at(-1)!.evaluations).toBe(3_000);
    for (const sample of samples) {
      expect(sample.outstanding).toBe(0);
      // A leak would hold every results message of every generation: dozens per generation.
      expect(sample.unacked).toBeLessThanOrEqual(4);
    }
  });
});
