import { describeZodError } from '../../../lib/errors.ts';
import type { MatmulProblem } from '../../ops/matmul-problem.ts';
import type { SearchSpace } from '../../space.ts';
import type { MatmulWasmGenome } from '../genome.ts';
import { wasmMatmulSpace, type WasmCaps } from '../space.ts';
import { f32Problem, f32Twin } from './codegen.ts';
import { MatmulF16WasmGenome } from './genome.ts';

/**
 * The f32 kernel's genes for the same shape (../space.ts: its register
 * budget, blocks and seeds), each genome renamed to the f16 family: the
 * conversions around the kernel have no genes of their own.
 */
export function wasmF16Space(problem: MatmulProblem, caps: WasmCaps): SearchSpace<MatmulF16WasmGenome> {
  const inner = wasmMatmulSpace(f32Problem(problem), caps);
  const outer = (g: MatmulWasmGenome): MatmulF16WasmGenome => {
    const { family: _tiled, epilogue: _none, ...genes } = g;
    return { ...genes, op: 'matmul', family: 'f16' };
  };
  return {
    name: 'matmul/wasm f16',
    schema: MatmulF16WasmGenome,
    sample: (rng) => outer(inner.sample(rng)),
    mutate: (g, rng) => outer(inner.mutate(f32Twin(g), rng)),
    crossover: (a, b, rng) => outer(inner.crossover(f32Twin(a), f32Twin(b), rng)),
    check: (g) => {
      const parsed = MatmulF16WasmGenome.safeParse(g);
      return parsed.success ? inner.check(f32Twin(parsed.data)) : describeZodError(parsed.error);
    },
    repair: (g) => {
      const repaired = inner.repair(f32Twin(g));
      return repaired && outer(repaired);
    },
    seeds: () => inner.seeds!().map(outer),
    descriptor: (g) => inner.descriptor(f32Twin(g)),
  };
}
