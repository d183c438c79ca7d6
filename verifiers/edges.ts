import { expectCorrect, toleranceFor, type VerifyContext } from './context.ts';
import type { Allowance } from './compare.ts';
import { drawInputs } from './inputs.ts';
import type { Kernel } from './kernel.ts';

interface EdgeCase {
  readonly name: string;
  readonly inputs: Float32Array[];
  readonly allow?: Allowance;
}

/**
 * Values at the ends of the format. Which outputs must be NaN or Inf comes
 * from the f64 reference itself (a NaN in A[i,k] makes all of C's row i NaN),
 * so the stage knows no op. Where f32 may legitimately part from f64 it says so:
 * sums may overflow once their magnitude nears the format's maximum, and
 * subnormal results may be flushed (WGSL allows it; wasm never does it).
 */
export async function edges(kernel: Kernel, ctx: VerifyContext): Promise<void> {
  for (const edge of edgeCases(ctx)) await expectCorrect(kernel, edge.inputs, ctx, edge.name, { allow: edge.allow });
}

function edgeCases(ctx: VerifyContext): EdgeCase[] {
  const { problem, rng, format } = ctx;
  const normal = () => rng.normal();
  const scaled = (scales: readonly number[]) => drawInputs(problem, (input) => rng.normal() * (scales[input] ?? 1));
  const withOne = (value: number) => {
    const inputs = drawInputs(problem, normal);
    for (const input of inputs) input[rng.int(0, input.length - 1)] = value;
    return inputs;
  };
  const steps = toleranceFor(ctx).rel / format.unit;
  const big = 2 ** (format.maxExp - 4);
  const half = 2 ** Math.floor(format.maxExp / 2);
  const tiny = 2 ** Math.floor(format.minNormalExp / 2 - 1);
  return [
    { name: 'zeros', inputs: drawInputs(problem, (input) => (input === 0 ? 0 : rng.normal())) },
    { name: 'NaN', inputs: withOne(NaN) },
    { name: 'Inf', inputs: withOne(Infinity) },
    { name: '-Inf', inputs: withOne(-Infinity) },
    // Huge times tiny: products of order one, so scaling tricks and narrow intermediates show.
    { name: 'huge x tiny', inputs: scaled([big, 1 / big]) },
    { name: 'huge', inputs: scaled([half, half]), allow: { overflowFrom: format.max / 2 } },
    { name: 'subnormal', inputs: scaled([tiny, tiny]), allow: { extraAbs: steps * 2 ** format.minNormalExp } },
  ];
}
