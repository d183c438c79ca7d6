import type { MatmulWasmGenome } from '../../genome/wasm/genome.ts';
import { wasmMatmulSpace } from '../../genome/wasm/space.ts';
import type { MatmulProblem } from '../../genome/ops/matmul-problem.ts';
import { genomeHash } from '../../genome/genome.ts';
import { Rng } from '../../lib/rng.ts';
import { measure, medianGflops } from './timing.ts';
import { f32Kernel, kernelContender } from './kernel-contender.ts';

export interface SweepResult {
  readonly genome: MatmulWasmGenome;
  readonly gflops: number;
}

/**
 * A bounded random sweep over the genome space at one (smaller) size: `count`
 * distinct genomes (plus `seeds`), timed briefly and interleaved, best first. Enough to
 * show what the space holds; the real search is the strategies' job.
 */
export async function sweep(
  problem: MatmulProblem,
  opts: { count: number; fma: boolean; seed: number; seeds: readonly MatmulWasmGenome[]; inputs: readonly Float32Array[] },
): Promise<SweepResult[]> {
  const space = wasmMatmulSpace(problem, { relaxedSimd: opts.fma }, { packBAtLoad: true });
  const rng = new Rng(opts.seed);
  const genomes = new Map<string, MatmulWasmGenome>(opts.seeds.map((g) => [genomeHash(g), g]));
  for (let tries = 0; genomes.size < opts.count + opts.seeds.length && tries < opts.count * 20; tries++) {
    const g = space.sample(rng);
    if (g.fma === opts.fma) genomes.set(genomeHash(g), g);
  }
  const timed = await Promise.all(
    [...genomes.values()].map(async (genome) => ({
      genome,
      contender: await kernelContender(genomeHash(genome), problem, await f32Kernel(problem, genome), opts.inputs),
    })),
  );
  // all genomes interleaved, so a burst of load on the shared machine hits them alike
  const gflops = await measure(timed.map((t) => t.contender), { rounds: 3, sampleMs: 10 });
  const results = timed.map(({ genome, contender }) => ({ genome, gflops: medianGflops(gflops, contender.name) }));
  return results.sort((a, b) => b.gflops - a.gflops);
}
