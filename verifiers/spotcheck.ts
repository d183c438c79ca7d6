import { expectCorrect, expectInputsUnchanged, type VerifyContext } from './context.ts';
import { randomInputs } from './inputs.ts';
import type { Kernel } from './kernel.ts';

/**
 * Between timing batches: fresh inputs, poisoned output, checked against the
 * reference (a sample of elements for big problems). A kernel that behaves
 * while verified and cheats once it has been called many times is caught here.
 * Leaves the fresh inputs in place, so timing goes on over them.
 */
export async function spotCheck(kernel: Kernel, ctx: VerifyContext, when: string): Promise<void> {
  const inputs = randomInputs(kernel.problem, 'normal', ctx.rng, ctx.format);
  await expectCorrect(kernel, inputs, ctx, when, { typical: true });
  await expectInputsUnchanged(kernel, inputs, when);
}
