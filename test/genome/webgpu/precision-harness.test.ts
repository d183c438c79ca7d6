import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCampaign, runCampaign } from '../../../coordinator/campaign.ts';
import { parseSpec } from '../../../coordinator/spec.ts';
import { storedFronts } from '../../../coordinator/store/front.ts';
import { Store } from '../../../coordinator/store/store.ts';
import { EmbeddedTransport } from '../../../coordinator/transport/embedded.ts';
import { silentLogger } from '../../../lib/log.ts';
import { matmulPrecisionWebgpu } from '../../../genome/families/matmul-precision-webgpu.ts';
import { genomeHash, type Genome } from '../../../genome/genome.ts';
import { parseProblem, type Problem } from '../../../genome/ops/index.ts';
import type { Target } from '../../../genome/target.ts';
import { MatmulPrecisionWebgpuGenome } from '../../../genome/webgpu/precision/genome.ts';
import { canonicalHash } from '../../../lib/hash.ts';
import { Budgets, PROTOCOL_VERSION } from '../../../protocol/job.ts';
import type { KernelResult } from '../../../protocol/result.ts';
import { Evaluator } from '../../../worker/evaluator.ts';
import { describeGpu } from '../../worker/webgpu/support.ts';

/** Odd M and N, K past one group of 32 and no multiple of 8 or 4 at the edge shapes the harness adds. */
const shape = { m: 37, n: 53, k: 40 };
const problemAt = (accuracy: number) => parseProblem({ op: 'matmul', shape, accuracy });

describeGpu('the precision family on WebGPU: f32 inputs quantized inside the kernel, through the harness on this adapter', () => {
  let evaluator: Evaluator;
  let device: Target;
  beforeAll(async () => {
    evaluator = await Evaluator.create({ threads: 1, backends: ['webgpu'], relaxedSimd: false, name: 'precision-webgpu' });
    [device] = (await evaluator.deviceClasses()) as Target[];
  });
  afterAll(() => evaluator.close());

  /** Verification only, every stage: the harness's verdict and the measured error. */
  const verdict = (problem: Problem, genome: Genome): Promise<KernelResult> =>
    evaluator.evaluate({
      v: PROTOCOL_VERSION,
      kind: 'kernel',
      jobId: `precision-${canonicalHash(problem)}-${genomeHash(genome)}`,
      campaignId: 'precision-webgpu',
      problem,
      genome,
      seed: 5,
      budgets: Budgets.parse({ deadlineMs: 240_000 }),
      verifyOnly: true,
    });
  /** The seed of each precision the adapter allows: the first of each, in the order the space offers them. */
  const firstSeeds = () => {
    const seeds = matmulPrecisionWebgpu.space(problemAt(0.1), device).seeds!().map((g) => MatmulPrecisionWebgpuGenome.parse(g));
    return seeds.filter((g, i) => seeds.findIndex((h) => h.precision === g.precision) === i);
  };

  it('a 4-evaluation campaign (embedded) times one seed of each precision through every stage; the front keeps the non-dominated ones', async () => {
    const store = Store.open(join(mkdtempSync(join(tmpdir(), 'kevo-precision-webgpu-')), 'front.db'));
    const spec = parseSpec({ problems: [{ op: 'matmul', shape: '37x53x40', accuracy: 0.1 }], backend: 'webgpu', budget: { evaluations: 4 }, population: 4, seed: 1, timing: { timingMs: 20, minSamples: 3, maxSamples: 10 } });
    const transport = new EmbeddedTransport(evaluator, 1);
    try {
      expect(await runCampaign(createCampaign(store, spec), { store, transport, log: silentLogger })).toMatchObject({ status: 'done' });
    } finally {
      await transport.close();
    }
    const problem = problemAt(0.1);
    const rows = store.best(problem, { limit: 100 });
    const fronts = storedFronts(store, problem, {});
    store.close();
    // The seeds take turns: f32, f16 (where shader-f16 is), i8, w4 g32.
    const shaderF16 = device.facts.backend === 'webgpu' && device.facts.features.includes('shader-f16');
    const precisions = ['f32', ...(shaderF16 ? ['f16'] : []), 'i8', 'w4'];
    expect(new Set(rows.map((r) => r.precision))).toEqual(new Set(precisions));
    const errorOf = (precision: string) => rows.find((r) => r.precision === precision)!.measuredError!.ofTolerance * 0.1;
    // Coarser grids, larger errors: f32's rounding, f16's, then 1/127 and 1/7 of each scale, all within the bound.
    for (let i = 1; i < precisions.length; i++) expect(errorOf(precisions[i]!)).toBeGreaterThan(errorOf(precisions[i - 1]!));
    expect(errorOf('w4')).toBeLessThanOrEqual(0.1);
    const points = fronts[0]!.points;
    expect(points[0]!.precision).toBe('f32');
    for (const [i, p] of points.entries()) if (i > 0) expect(p.error > points[i - 1]!.error && p.speedup > points[i - 1]!.speedup).toBe(true);
    // Every kernel off the front is beaten or tied by one on it.
    for (const row of rows.filter((r) => !points.some((p) => p.kernelId === r.kernelId))) {
      const error = row.measuredError!.ofTolerance * 0.1;
      expect(points.some((p) => p.error <= error && p.speedup >= row.speedup)).toBe(true);
    }
  }, 600_000);

  /** The harness's verdict on a seed's kernel text edited by `splice` (a planted bug), run as a source kernel at the problem shape. */
  const spliced = (genome: MatmulPrecisionWebgpuGenome, problem: Problem, pattern: RegExp, replacement: string) => {
    const honest = matmulPrecisionWebgpu.code(genome, problem);
    expect(honest.text).toMatch(pattern);
    const tile = honest.launch.backend === 'webgpu' ? honest.launch.tile : undefined;
    return verdict(problem, { op: 'matmul', backend: 'webgpu', family: 'source', language: 'wgsl', text: honest.text.replace(pattern, replacement), tile } as Genome);
  };
  const caught = (result: KernelResult) => {
    expect(result.status, 'a hostile kernel was accepted').toBe('rejected');
    expect(result.reason).toMatch(/^(smoke|shapes|numerics|edges)[^:]*: C\[\d+,\d+\] = \S+ but expected /);
  };

  it('rejects i8 where its quantization error passes the bound, and kernels that ignore their scales: one column\'s for all, the first group\'s for every group', async () => {
    const seeds = firstSeeds();
    const i8 = seeds.find((g) => g.precision === 'i8')!;
    const strict = await verdict(problemAt(1e-4), i8);
    expect(strict.status).toBe('rejected');
    expect(strict.reason).toMatch(/but expected/);
    caught(await spliced(i8, problemAt(0.05), /let maxB0 = vec4<f32>\([^;]*\);/, 'let maxB0 = vec4<f32>(colMax(0u, 0u, K));'));
    const w4 = seeds.find((g) => g.precision === 'w4')!;
    caught(await spliced(w4, problemAt(0.1), /colMax\((bcol\d+_\d+), [^;]*K\)\)/g, 'colMax($1, 0u, 32u)'));
  }, 600_000);
});
