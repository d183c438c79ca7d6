import { expectCorrect, type VerifyContext } from './context.ts';
import { numericAccuracy, opFor } from '../genome/ops/index.ts';
import { distributions, randomInputs } from './inputs.ts';
import type { Kernel } from './kernel.ts';

/**
 * Several input distributions against the f64 reference within the op's
 * tolerance. Integer inputs are held to exact equality while every partial
 * sum is an exactly representable integer: then any summation order, fused
 * or not, gives the exact answer, so any difference is a bug. Not under a
 * numeric accuracy: a kernel may quantize, and 3 on an i8 grid is not 3.
 */
export async function numerics(kernel: Kernel, ctx: VerifyContext): Promise<void> {
  const exact = opFor(ctx.problem).exactOnIntegers?.(ctx.problem) && numericAccuracy(ctx.problem) === undefined;
  for (const distribution of distributions) {
    const allow = distribution === 'integers' && exact ? { exactUpTo: ctx.format.exactIntegers } : {};
    await expectCorrect(kernel, randomInputs(ctx.problem, distribution, ctx.rng, ctx.format), ctx, distribution, { allow, typical: distribution === 'normal' });
  }
}
