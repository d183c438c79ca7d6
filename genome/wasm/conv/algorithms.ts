import type { Rng } from '../../../lib/rng.ts';
import type { ConvProblem } from '../../ops/conv/problem.ts';
import { interleave, type SearchSpace } from '../../space.ts';
import type { WasmCaps } from '../space.ts';
import { wasmGemmSpace, wasmImplicitSpace } from './gemm-space.ts';
import { algorithmOf, convWasmGenome, GEMM_OPS, IMPLICIT_OPS, type ConvWasmGenome } from './genome.ts';
import { wasmDirectSpace } from './space.ts';

/** One algorithm's space, and its name (the genome's `algorithm` gene; direct when absent). */
interface Algorithm {
  readonly name: string;
  readonly space: SearchSpace<ConvWasmGenome>;
}

/** Chance a mutation jumps to another algorithm (a fresh sample of it) rather than moving within its own. */
const JUMP = 0.15;

/**
 * The genes of one convolution problem on a WASM SIMD runtime: the algorithm
 * is a gene, each algorithm's other genes its own space's (direct:
 * ./space.ts; im2col + GEMM for the dense ops, implicit GEMM for dense
 * forward and bwd-data: ./gemm-space.ts).
 * Seeds alternate between the algorithms, so a short campaign tries each.
 */
export function wasmConvSpace(problem: ConvProblem, caps: WasmCaps): SearchSpace<ConvWasmGenome> {
  const algorithms: Algorithm[] = [{ name: 'direct', space: wasmDirectSpace(problem, caps) as SearchSpace<ConvWasmGenome> }];
  if (GEMM_OPS.includes(problem.op)) algorithms.push({ name: 'im2col', space: wasmGemmSpace(problem, caps) as SearchSpace<ConvWasmGenome> });
  if (IMPLICIT_OPS.includes(problem.op)) algorithms.push({ name: 'implicit', space: wasmImplicitSpace(problem, caps) as SearchSpace<ConvWasmGenome> });
  if (algorithms.length === 1) return algorithms[0]!.space;
  const of = (g: ConvWasmGenome) => algorithms.find((a) => a.name === algorithmOf(g))!;
  const sample = (rng: Rng) => rng.pick(algorithms).space.sample(rng);
  return {
    name: `${problem.op}/wasm`,
    schema: convWasmGenome(problem.op),
    sample,
    mutate: (g, rng) => (rng.chance(JUMP) ? rng.pick(algorithms.filter((a) => a !== of(g))).space.sample(rng) : of(g).space.mutate(g, rng)),
    // Genes mean nothing across algorithms: parents of two algorithms give one of them, mutated.
    crossover: (a, b, rng) => {
      if (of(a) === of(b)) return of(a).space.crossover(a, b, rng);
      const parent = rng.chance(0.5) ? a : b;
      return of(parent).space.mutate(parent, rng);
    },
    check: (g) => of(g).space.check(g),
    repair: (g) => of(g).space.repair(g),
    seeds: () => interleave(algorithms.map((a) => a.space.seeds?.() ?? [])),
    enumerate: function* () {
      for (const a of algorithms) if (a.space.enumerate) yield* a.space.enumerate();
    },
    descriptor: (g) => [...of(g).space.descriptor(g), `algorithm:${of(g).name}`],
  };
}
