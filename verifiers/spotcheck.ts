import { expectCorrect, expectInputsUnchanged, type VerifyContext } from './context.ts';
import { randomInputs, redrawOne } from './inputs.ts';
import type { Kernel } from './kernel.ts';

/**
 * Between timing batches: fresh inputs, poisoned output, checked against the
 * reference (a sample of elements for big problems). A kernel that behaves
 * while verified and cheats once it has been called many times is caught here.
 * Then the same inputs with one element of each redrawn: fresh inputs miss a
 * cache keyed on a few elements (a checksum of some, their pointers), these
 * hit it, and the answer it replays is stale. The redrawn weights reach a
 * kernel's load-time pack through write(), so a pack keyed on a few of them
 * is caught the same way. A kernel that packs at load time then gets one
 * element of each other input redrawn with its weights kept (no pack): one
 * that computes its answer in the pack, to replay it from run(), answers
 * stale. Leaves the last inputs in place, so timing goes on over them.
 */
export async function spotCheck(kernel: Kernel, ctx: VerifyContext, when: string): Promise<void> {
  const fresh = randomInputs(kernel.problem, 'normal', ctx.rng, ctx.format);
  await expectCorrect(kernel, fresh, ctx, when, { typical: true });
  await expectInputsUnchanged(kernel, fresh, when);
  const nudged = redrawOne(kernel.problem, fresh, 'normal', ctx.rng, ctx.format);
  const nudgedCase = `${when}, one element of each input redrawn`;
  await expectCorrect(kernel, nudged, ctx, nudgedCase, { typical: true });
  await expectInputsUnchanged(kernel, nudged, nudgedCase);
  if (kernel.weights.length === 0) return;
  const activations = redrawOne(kernel.problem, nudged, 'normal', ctx.rng, ctx.format, kernel.weights);
  const activationsCase = `${when}, one element of each input but the packed weights redrawn`;
  await expectCorrect(kernel, activations, ctx, activationsCase, { typical: true });
  await expectInputsUnchanged(kernel, activations, activationsCase);
}
