import { expectCorrect, type VerifyContext } from './context.ts';
import { distributions, randomInputs } from './inputs.ts';
import type { Kernel } from './kernel.ts';

/**
 * Several input distributions against the f64 reference within the op's
 * tolerance. Integer inputs are held to exact equality while every partial
 * sum is an exactly representable integer: then any summation order, fused
 * or not, gives the exact answer, so any difference is a bug.
 */
export async function numerics(kernel: Kernel, ctx: VerifyContext): Promise<void> {
  for (const distribution of distributions) {
    const allow = distribution === 'integers' ? { exactUpTo: ctx.format.exactIntegers } : {};
    await expectCorrect(kernel, randomInputs(ctx.problem, distribution, ctx.rng, ctx.format), ctx, distribution, { allow, typical: distribution === 'normal' });
  }
}
