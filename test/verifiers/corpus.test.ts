import { describe, expect, it } from 'vitest';
import { matmul } from '../../genome/ops/matmul.ts';
import type { Problem } from '../../genome/ops/problem.ts';
import type { MatmulProblem } from '../../genome/ops/matmul-problem.ts';
import { verify } from '../../verifiers/harness.ts';
import type { KernelBuilder } from '../../verifiers/kernel.ts';
import { cpuDeviceClass } from '../../worker/device.ts';
import { evaluateKernel } from '../../worker/evaluate.ts';
import { wasmKernel } from '../../worker/wasm/kernel.ts';
import { naiveMatmulWat } from '../../testkit/naive-wat.ts';
import { problem, sourceJob } from '../worker/jobs.ts';
import { hostileCorpus, VERIFICATION_CALLS, type HostileKernel } from './corpus/hostile.ts';

const builder =
  (wat: (p: MatmulProblem) => string): KernelBuilder =>
  (p: Problem) =>
    wasmKernel(p, wat(p as MatmulProblem));

/** The whole harness a worker runs: every verifier stage, then timing against the baseline with its spot checks. */
async function evaluate(wat: (p: MatmulProblem) => string) {
  const text = wat(problem);
  return evaluateKernel({
    job: sourceJob(text),
    build: builder(wat),
    buildBaseline: builder(naiveMatmulWat),
    device: await cpuDeviceClass(),
    source: { language: 'wat', text },
    worker: 'test',
    precision: 'f32',
  });
}

describe('the hostile corpus, through the whole harness', () => {
  it('accepts the honest kernel the corpus is spliced from, so a rejection below is the trick being caught', async () => {
    const result = await evaluate(naiveMatmulWat);
    expect(result.status, result.reason).toBe('ok');
    expect(result.timing!.speedup).toBeGreaterThan(0);
  });

  it(`the verifier stages call the problem's kernel fewer than ${VERIFICATION_CALLS} times, so a kernel honest that long is honest through them`, async () => {
    let calls = 0;
    const counting: KernelBuilder = async (p) => {
      const kernel = await wasmKernel(p, naiveMatmulWat(p as MatmulProblem));
      if (p !== problem) return kernel;
      const run = kernel.run.bind(kernel);
      return Object.assign(kernel, { run: () => (calls++, run()) });
    };
    const { failure, kernel } = await verify(counting, problem, { seed: 11, precision: 'f32' });
    await kernel?.dispose();
    expect(failure).toBeUndefined();
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThan(VERIFICATION_CALLS);
  });

  it('fits the caches in the workspace at the corpus problem and every edge shape', () => {
    // The workspace holds M*K + K*N floats (genome/families/abi.ts); a cache of C must fit in it.
    for (const { shape: { m, n, k } } of [problem, ...matmul.edgeShapes(problem)]) expect(m * n).toBeLessThanOrEqual(k * (m + n));
  });

  it.each(hostileCorpus.map((h): [string, HostileKernel] => [h.name, h]))('rejects "%s" at the stage meant to catch it', async (_, hostile) => {
    const result = await evaluate(hostile.wat);
    expect(result.status, `accepted: ${hostile.trick}`).toBe('rejected');
    expect(result.stage, result.reason).toBe(hostile.stage);
    expect(result.reason).toMatch(hostile.reason);
    expect(result.timing).toBeUndefined();
  });
});
