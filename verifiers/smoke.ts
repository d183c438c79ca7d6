import { dtypeOf } from '../genome/dtypes/index.ts';
import { elementCount, outputsOf } from '../genome/ops/index.ts';
import { runOn, type VerifyContext } from './context.ts';
import { checkWritten } from './compare.ts';
import { elementName, num } from './describe.ts';
import { StageFailure } from './failure.ts';
import { randomInputs } from './inputs.ts';
import type { Kernel, KernelBuilder } from './kernel.ts';

/**
 * Builds the kernel for the problem and runs it once on ordinary inputs: every
 * element of every output written and finite. Cheap (no reference), so a broken kernel
 * costs little. Returns the kernel the later stages and the timing use.
 */
export async function smoke(build: KernelBuilder, ctx: VerifyContext): Promise<Kernel> {
  const kernel = await build(ctx.problem);
  try {
    const got = await runOn(kernel, randomInputs(ctx.problem, 'uniform', ctx.rng, ctx.format), ctx);
    for (const [o, spec] of outputsOf(ctx.op, ctx.problem).entries()) {
      const unwritten = checkWritten(got[o]!, spec);
      if (unwritten) throw new StageFailure(unwritten);
      const dtype = dtypeOf(spec.dtype);
      for (let i = 0; i < elementCount(spec.dims); i++) {
        const value = dtype.get(got[o]!, i);
        if (!Number.isFinite(value)) throw new StageFailure(`${elementName(spec, i)} = ${num(value)} from finite inputs (uniform)`);
      }
    }
    return kernel;
  } catch (error) {
    await kernel.dispose();
    throw error;
  }
}
