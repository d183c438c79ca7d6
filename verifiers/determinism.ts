import { dtypeOf } from '../genome/dtypes/index.ts';
import { elementCount, outputsOf } from '../genome/ops/index.ts';
import { differing } from './compare.ts';
import { runOn, type VerifyContext } from './context.ts';
import { elementName, num } from './describe.ts';
import { StageFailure } from './failure.ts';
import { randomInputs } from './inputs.ts';
import type { Kernel } from './kernel.ts';

/** The same input twice gives bit-identical outputs: a kernel whose answer depends on anything but its inputs is not one we can time. */
export async function determinism(kernel: Kernel, ctx: VerifyContext): Promise<void> {
  const inputs = randomInputs(ctx.problem, 'normal', ctx.rng, ctx.format);
  const first = await runOn(kernel, inputs, ctx);
  const second = await runOn(kernel, inputs, ctx);
  for (const [i, spec] of outputsOf(ctx.op, ctx.problem).entries()) {
    const dtype = dtypeOf(spec.dtype);
    const { count, first: at } = differing(first[i]!, second[i]!, dtype.bytesPerElement);
    if (count > 0) {
      const name = elementName(spec, at);
      const elements = elementCount(spec.dims);
      throw new StageFailure(`two runs on the same input differ: ${name} = ${num(dtype.get(first[i]!, at))} then ${num(dtype.get(second[i]!, at))}; ${count} of ${elements} elements of ${spec.name} differ`);
    }
  }
}
