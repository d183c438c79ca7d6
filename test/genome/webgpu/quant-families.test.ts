import { afterAll, beforeAll, expect, it } from 'vitest';
import { familyFor } from '../../../genome/families/registry.ts';
import { genomeHash, type Genome } from '../../../genome/genome.ts';
import { parseProblem, type Problem } from '../../../genome/ops/index.ts';
import type { Target } from '../../../genome/target.ts';
import { canonicalHash } from '../../../lib/hash.ts';
import { Budgets, PROTOCOL_VERSION } from '../../../protocol/job.ts';
import type { KernelResult } from '../../../protocol/result.ts';
import { Evaluator } from '../../../worker/evaluator.ts';
import { describeGpu } from '../../worker/webgpu/support.ts';
import { hostileW4a8Corpus, type HostileW4a8Kernel } from '../../verifiers/corpus/w4a8-webgpu.ts';

/** Odd M and N (C's packed f16 words span rows); the harness's shape stage adds its edge shapes (K tails among them). */
const shape = { m: 37, n: 53, k: 40 };

describeGpu('the f16, int8, i16, w4 and w4a8 WebGPU families through the harness on this adapter', () => {
  let evaluator: Evaluator;
  let device: Target;
  beforeAll(async () => {
    evaluator = await Evaluator.create({ threads: 1, backends: ['webgpu'], relaxedSimd: false, name: 'quant-families' });
    [device] = (await evaluator.deviceClasses()) as Target[];
  });
  afterAll(() => evaluator.close());

  /** Verification only (timing belongs to the campaigns): the harness's verdict, every stage. */
  const verdict = async (problem: Problem, genome: Genome): Promise<KernelResult> =>
    evaluator.evaluate({
      v: PROTOCOL_VERSION,
      kind: 'kernel',
      jobId: `quant-${problem.dtype}-${canonicalHash(problem)}-${genomeHash(genome)}`,
      campaignId: 'quant-families',
      problem,
      genome,
      seed: 5,
      // Generous: on a loaded machine lavapipe compiles a tile's edge shapes slowly (60 s once ran out).
      budgets: Budgets.parse({ deadlineMs: 240_000 }),
      verifyOnly: true,
    });

  it.each([
    ['i8', {}],
    ['u8i8', {}],
    ['f16', { accuracy: 'f16' }],
    ['w4', { group: 32, zeroPoint: true }],
    ['i16', {}],
    ['i16', { exponentBlock: 32 }],
    // Requantized: the per-tensor seeds (block exponents add nothing to the passes; i16-requantized.test.ts runs its baseline).
    ['i16', { output: 'i16' }],
    ['w4a8', { group: 32 }],
  ] as const)('%s: the baseline and every seed pass every stage of the harness', async (dtype, extra) => {
    {
      const problem = parseProblem({ op: 'matmul', shape, dtype, ...extra });
      const family = familyFor('matmul', 'webgpu', dtype);
      const seeds = family.space(problem, device).seeds!();
      // Each instruction (int8, w4a8) or storage x precision (f16) the adapter allows is a seed; w4 has two tiles, i16 two unpack forms.
      expect(seeds.length).toBeGreaterThanOrEqual(dtype === 'w4' || dtype === 'i16' ? 2 : 3);
      const baseline = family.baseline(problem);
      const source = { op: 'matmul', backend: 'webgpu', family: 'source', language: 'wgsl', text: baseline.text, tile: baseline.launch.backend === 'webgpu' ? baseline.launch.tile : undefined } as const;
      // i16 with exponent blocks: the seeds combine per block; a step-scaling tile with an odd unroll and tm too.
      const more = 'exponentBlock' in extra ? [{ ...seeds[0]!, combine: 'step', unroll: 3, tm: 3 }] : [];
      // A source genome has one dispatch, so a requantized output's baseline (its passes) runs in i16-requantized.test.ts;
      // its passes follow any tile, so one seed is enough here.
      const candidates = 'output' in extra ? seeds.slice(0, 1) : [source, ...seeds, ...more];
      for (const genome of candidates as Genome[]) {
        const result = await verdict(problem, genome);
        expect(result.status, `${family.describe(genome)} ${JSON.stringify(shape)}: ${result.reason}`).toBe('ok');
        expect(result.verdicts.map((v) => v.stage)).toContain('edges');
      }
    }
  }, 240_000);

  it.each(hostileW4a8Corpus.map((h): [string, HostileW4a8Kernel] => [h.name, h]))('w4a8: rejects the hostile kernel "%s" at the problem shape', async (_, hostile) => {
    const problem = parseProblem({ op: 'matmul', shape, dtype: 'w4a8', group: 32 });
    const tile = { rows: 16, cols: 16 };
    const result = await verdict(problem, { op: 'matmul', backend: 'webgpu', family: 'source', language: 'wgsl', text: hostile.wgsl({ ...shape, group: 32 }), tile } as Genome);
    expect(result.status, `accepted: ${hostile.trick}`).toBe('rejected');
    expect(result.reason).toMatch(/^shapes \(37x53x40\): C\[\d+,\d+\] = \S+ but expected /);
  }, 60_000);
});
