import { expectCorrect, expectInputsUnchanged, type VerifyContext } from './context.ts';
import { randomInputs, redraw } from './inputs.ts';
import type { Kernel } from './kernel.ts';

const ROUNDS = 4;

/**
 * Guards the timing against kernels that game it. Every run gets a poisoned
 * output and the kernel must leave its inputs as written. Each round after the
 * first redraws a random half of every input's elements: a kernel that
 * memoizes its answer under a partial key of its inputs returns a stale one
 * and is caught, since nearly every output element depends on a redrawn input.
 * A kernel that packs weights at load time gets one more round with only the
 * other inputs redrawn: its pack does not run, so one that computed the
 * answer there (not just packed) replays a stale one.
 */
export async function loophole(kernel: Kernel, ctx: VerifyContext): Promise<void> {
  let inputs = randomInputs(ctx.problem, 'normal', ctx.rng, ctx.format);
  const rounds = kernel.weights.length > 0 ? ROUNDS + 1 : ROUNDS;
  for (let round = 1; round <= rounds; round++) {
    const weightsKept = round > ROUNDS;
    if (round > 1) inputs = redraw(ctx.problem, inputs, 0.5, 'normal', ctx.rng, ctx.format, weightsKept ? kernel.weights : []);
    const inputCase = round === 1 ? 'fresh inputs' : `round ${round}, half of the ${weightsKept ? 'inputs but the packed weights' : 'inputs'} redrawn`;
    await expectCorrect(kernel, inputs, ctx, inputCase, { typical: true });
    await expectInputsUnchanged(kernel, inputs, inputCase);
  }
}
