import { runOn, type VerifyContext } from './context.ts';
import { elementName, num } from './describe.ts';
import { StageFailure } from './failure.ts';
import { randomInputs } from './inputs.ts';
import type { Kernel } from './kernel.ts';

/** The same input twice gives bit-identical output: a kernel whose answer depends on anything but its inputs is not one we can time. */
export async function determinism(kernel: Kernel, ctx: VerifyContext): Promise<void> {
  const inputs = randomInputs(ctx.problem, 'normal', ctx.rng, ctx.format);
  const first = await runOn(kernel, inputs, ctx);
  const second = await runOn(kernel, inputs, ctx);
  const a = new Uint32Array(first.buffer, first.byteOffset, first.length);
  const b = new Uint32Array(second.buffer, second.byteOffset, second.length);
  let differ = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i] && differ++ === 0) at = i;
  }
  if (differ > 0) {
    const name = elementName(ctx.op.output(ctx.problem), at);
    throw new StageFailure(`two runs on the same input differ: ${name} = ${num(first[at]!)} then ${num(second[at]!)}; ${differ} of ${a.length} elements differ`);
  }
}
