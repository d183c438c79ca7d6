import { matmul } from '../../genome/ops/matmul.ts';
import type { MatmulProblem } from '../../genome/ops/matmul-problem.ts';
import type { Kernel } from '../../verifiers/kernel.ts';
import { WasmLaunch } from '../../genome/families/launch.ts';
import { matmulWasm } from '../../genome/families/matmul-wasm.ts';
import type { MatmulWasmGenome } from '../../genome/wasm/genome.ts';
import { wasmKernel } from '../../worker/wasm/kernel.ts';

/** The f32 kernel of a genome as the family launches it (B packed at load by its prepare entry, on the first write). */
export async function f32Kernel(problem: MatmulProblem, genome: MatmulWasmGenome): Promise<Kernel> {
  const code = matmulWasm.code(genome, problem);
  return wasmKernel(problem, code.text, WasmLaunch.parse(code.launch));
}
import type { Contender } from './timing.ts';

/** A compiled WASM kernel with the bench's inputs written, as a contender. */
export async function kernelContender(
  name: string,
  problem: MatmulProblem,
  kernel: Kernel,
  inputs: readonly Float32Array[],
): Promise<Contender & { output(): Promise<Float32Array> }> {
  await kernel.write(inputs);
  return {
    name,
    flops: matmul.flops(problem),
    time: (times) => kernel.timeRuns(times),
    async output() {
      await kernel.poison();
      await kernel.run();
      // The bench times f32 problems only.
      return (await kernel.readOutputs())[0]! as Float32Array;
    },
  };
}
