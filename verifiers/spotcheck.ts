import { expectCorrect, expectInputsUnchanged, type VerifyContext } from './context.ts';
import { randomInputs, redrawOne } from './inputs.ts';
import type { Kernel } from './kernel.ts';

/**
 * Between timing batches: fresh inputs, poisoned output, checked against the
 * reference (a sample of elements for big problems). A kernel that behaves
 * while verified and cheats once it has been called many times is caught here.
 * Then the same inputs with one element of each redrawn: fresh inputs miss a
 * cache keyed on a few elements (a checksum of some, their pointers), these
 * hit it, and the answer it replays is stale. Leaves those inputs in place,
 * so timing goes on over them.
 */
export async function spotCheck(kernel: Kernel, ctx: VerifyContext, when: string): Promise<void> {
  const fresh = randomInputs(kernel.problem, 'normal', ctx.rng, ctx.format);
  await expectCorrect(kernel, fresh, ctx, when, { typical: true });
  await expectInputsUnchanged(kernel, fresh, when);
  const nudged = redrawOne(kernel.problem, fresh, 'normal', ctx.rng, ctx.format);
  const nudgedCase = `${when}, one element of each input redrawn`;
  await expectCorrect(kernel, nudged, ctx, nudgedCase, { typical: true });
  await expectInputsUnchanged(kernel, nudged, nudgedCase);
}
