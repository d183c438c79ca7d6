import { WasmLaunch } from '../../genome/families/launch.ts';
import { familyFor } from '../../genome/families/registry.ts';
import type { Genome } from '../../genome/genome.ts';
import type { Problem } from '../../genome/ops/index.ts';
import { verify } from '../../verifiers/harness.ts';
import { wasmKernel } from '../../worker/wasm/kernel.ts';

/** The whole verifier harness on a WASM family's kernel for a genome, or on its baseline: the failure, or undefined when every stage passes. */
export async function wasmVerdict(problem: Problem, genome: Genome | 'baseline', seed = 7) {
  const family = familyFor(problem.op, 'wasm', problem.dtype);
  const code = (p: Problem) => (genome === 'baseline' ? family.baseline(p) : family.code(genome, p));
  const { failure, kernel } = await verify((p) => wasmKernel(p, code(p).text, WasmLaunch.parse(code(p).launch)), problem, {
    seed,
    precision: genome === 'baseline' ? 'f32' : family.precision(genome),
  });
  await kernel?.dispose();
  return failure;
}
