import { describe } from 'vitest';
import { opFor, outputsOf, referencesOf } from '../../../genome/ops/index.ts';
import type { Storage } from '../../../genome/dtypes/index.ts';
import type { Precision } from '../../../genome/ops/op.ts';
import type { MatmulProblem } from '../../../genome/ops/matmul-problem.ts';
import { Rng } from '../../../lib/rng.ts';
import { checkOutput } from '../../../verifiers/compare.ts';
import { drawInputs } from '../../../verifiers/inputs.ts';
import { webgpuAvailable } from '../../../worker/webgpu/available.ts';
import type { WebgpuLaunch } from '../../../genome/families/launch.ts';

type Tile = WebgpuLaunch['tile'];
import type { GpuProcess } from '../../../worker/webgpu/process.ts';

export const availability = await webgpuAvailable();

/**
 * describe() for suites that need a WebGPU adapter: skipped, with the probe's
 * reason in the suite name, only when the machine has none. CI installs an
 * adapter and sets KEVO_REQUIRE_WEBGPU, so there a missing one fails instead
 * of skipping silently.
 */
export const describeGpu = (name: string, body: () => void) => {
  if (!availability.ok && process.env.KEVO_REQUIRE_WEBGPU) throw new Error(`KEVO_REQUIRE_WEBGPU is set but there is no WebGPU adapter: ${availability.reason}`);
  if (!availability.ok) console.warn(`skipping "${name}": ${availability.reason}`);
  return describe.skipIf(!availability.ok)(availability.ok ? name : `${name} [skipped: ${availability.reason}]`, body);
};

export const matmulProblem = (m: number, n: number, k: number): MatmulProblem => ({ op: 'matmul', shape: { m, n, k }, dtype: 'f32' });

export function normalInputs(problem: MatmulProblem, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return drawInputs(problem, () => () => rng.normal(), rng, 'normal') as Float32Array[];
}

/** Runs a kernel once in the GPU child; null when every output matches its reference within the error model (ints exactly), else why not. */
export async function wrongness(
  gpu: GpuProcess,
  problem: MatmulProblem,
  kernel: { wgsl: string; tile: Tile; passes?: readonly NonNullable<WebgpuLaunch['passes']>[number][] },
  precision: Precision,
  seed = 1,
  inputs: Storage[] = normalInputs(problem, seed),
): Promise<string | null> {
  const outcome = await gpu.request({ type: 'run', problem, wgsl: kernel.wgsl, tile: kernel.tile, passes: [...(kernel.passes ?? [])], inputs }, 30_000);
  if (outcome.kind !== 'reply') return `GPU process: ${outcome.kind === 'exit' ? outcome.reason : 'timeout'}`;
  if (outcome.reply.type !== 'outputs') return `GPU process: ${JSON.stringify(outcome.reply)}`;
  const got = outcome.reply.outputs;
  const op = opFor(problem);
  const magnitude = op.magnitude(problem, inputs);
  const wants = referencesOf(op, problem, inputs);
  const complaints = outputsOf(op, problem).map((spec, i) =>
    checkOutput(got[i]!, { indices: null, want: wants[i]!, magnitude: i === 0 ? magnitude : new Float64Array(wants[i]!.length) }, op.tolerance(problem, precision), spec),
  );
  return complaints.find((c) => c !== null) ?? null;
}
