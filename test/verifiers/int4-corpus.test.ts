import { describe, expect, it } from 'vitest';
import { wasmLaunch } from '../../genome/families/abi.ts';
import { parseProblem, type Problem } from '../../genome/ops/index.ts';
import type { MatmulProblem } from '../../genome/ops/matmul-problem.ts';
import { int4BaselineWat } from '../../genome/wasm/int4/baseline.ts';
import type { Int4Kernel } from '../../genome/wasm/int4/problem.ts';
import type { KernelBuilder } from '../../verifiers/kernel.ts';
import { cpuDeviceClass } from '../../worker/device.ts';
import { evaluateKernel } from '../../worker/evaluate.ts';
import { wasmKernel } from '../../worker/wasm/kernel.ts';
import { sourceJob } from '../worker/jobs.ts';
import { hostileInt4Corpus, type HostileInt4Kernel } from './corpus/int4.ts';

const problem = parseProblem({ op: 'matmul', shape: { m: 37, n: 53, k: 40 }, dtype: 'w4', group: 32 }) as MatmulProblem;
const kernelOf = (p: MatmulProblem): Int4Kernel => ({ ...p.shape, group: p.group ?? 32, dtype: 'w4', zeroPoints: false });

const builder =
  (wat: (p: Int4Kernel) => string): KernelBuilder =>
  (p: Problem) =>
    wasmKernel(p, wat(kernelOf(p as MatmulProblem)), wasmLaunch(p, 0));

/** The whole harness a worker runs on a w4 source kernel: every stage, then timing against the baseline. */
async function evaluate(wat: (p: Int4Kernel) => string) {
  const text = wat(kernelOf(problem));
  return evaluateKernel({
    job: sourceJob(text, { problem }),
    build: builder(wat),
    buildBaseline: builder(int4BaselineWat),
    device: await cpuDeviceClass(),
    source: { language: 'wat', text },
    worker: 'test',
    precision: 'f32',
  });
}

describe('hostile 4-bit kernels, through the whole harness (w4 37x53x40, groups of 32)', () => {
  it('accepts the honest kernel they are spliced from, so a rejection below is the trick being caught', async () => {
    const result = await evaluate(int4BaselineWat);
    expect(result.status, result.reason).toBe('ok');
  });

  it.each(hostileInt4Corpus.map((h): [string, HostileInt4Kernel] => [h.name, h]))('rejects "%s" at the stage meant to catch it', async (_, hostile) => {
    const result = await evaluate(hostile.wat);
    expect(result.status, `accepted: ${hostile.trick}`).toBe('rejected');
    expect(result.stage, result.reason).toBe(hostile.stage);
    expect(result.reason).toMatch(hostile.reason);
  });
});
