import { opFor } from '../genome/ops/index.ts';
import { expectCorrect, type VerifyContext } from './context.ts';
import { randomInputs } from './inputs.ts';
import type { Kernel, KernelBuilder } from './kernel.ts';

/**
 * The problem's own shape, then the op's edge shapes (1s, primes, one past a
 * power of two), each built afresh: tiling remainders are where generated
 * kernels go wrong. `sweep` is false for a kernel written for one shape only
 * (a source text has its shape baked in).
 */
export async function shapes(kernel: Kernel, build: KernelBuilder, ctx: VerifyContext, sweep: boolean): Promise<void> {
  const formatShape = (k: Kernel) => opFor(k.problem).formatShape(k.problem.shape);
  await expectCorrect(kernel, randomInputs(ctx.problem, 'normal', ctx.rng, ctx.format), ctx, formatShape(kernel), { typical: true });
  if (!sweep) return;
  for (const problem of ctx.op.edgeShapes(ctx.problem)) {
    const edge = await build(problem);
    try {
      await expectCorrect(edge, randomInputs(problem, 'normal', ctx.rng, ctx.format), ctx, formatShape(edge), { typical: true });
    } finally {
      await edge.dispose();
    }
  }
}
