import { matmul } from '../../../genome/ops/matmul.ts';
import type { MatmulProblem } from '../../../genome/ops/matmul-problem.ts';
import { Rng } from '../../../lib/rng.ts';
import { f32, findPoisoned } from '../../../genome/dtypes/index.ts';
import { wasmKernel } from '../../../worker/wasm/kernel.ts';
import type { WasmLaunch } from '../../../genome/families/launch.ts';

export const problemOf = (m: number, n: number, k: number): MatmulProblem => ({ op: 'matmul', shape: { m, n, k }, dtype: 'f32' });

/**
 * Run a WAT kernel once on random inputs over poisoned C and return how far
 * it is from the f64 reference (a kernel that packs weights at load time: packed by write()): the worst |got - want| / (abs + rel*scale)
 * (<= 1 passes), plus whether it left C unwritten or changed its inputs.
 */
export async function errorOf(problem: MatmulProblem, wat: string, fma: boolean, seed = 1, launch?: WasmLaunch) {
  const kernel = await wasmKernel(problem, wat, launch);
  const rng = new Rng(seed);
  const inputs = matmul.inputs(problem).map((t) => Float32Array.from({ length: t.dims[0]! * t.dims[1]! }, () => rng.normal()));
  await kernel.write(inputs);
  await kernel.poison();
  await kernel.run();
  const got = (await kernel.readOutputs())[0]!;
  const want = matmul.reference(problem, inputs);
  const scale = matmul.magnitude(problem, inputs);
  const tol = matmul.tolerance(problem, fma ? 'f32-fma' : 'f32');
  let worst = 0;
  got.forEach((v, i) => {
    const ratio = Math.abs(v - want[i]!) / (tol.abs + tol.rel * scale[i]!);
    worst = Math.max(worst, Number.isNaN(ratio) ? Infinity : ratio);
  });
  const inputsAfter = await kernel.readInputs();
  const inputsKept = inputsAfter.every((t, i) => t.every((v, j) => Object.is(v, inputs[i]![j])));
  await kernel.dispose();
  return { worst, unwritten: findPoisoned(f32, got, got.length).count, inputsKept };
}
