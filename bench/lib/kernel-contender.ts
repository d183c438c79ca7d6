import { matmul } from '../../genome/ops/matmul.ts';
import type { MatmulProblem } from '../../genome/ops/matmul-problem.ts';
import type { Kernel } from '../../verifiers/kernel.ts';
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
