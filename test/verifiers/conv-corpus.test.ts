import { describe, expect, it } from 'vitest';
import type { Conv2dProblem } from '../../genome/ops/conv/problem.ts';
import { problemFrom, type Problem } from '../../genome/ops/index.ts';
import type { KernelBuilder } from '../../verifiers/kernel.ts';
import { cpuDeviceClass } from '../../worker/device.ts';
import { evaluateKernel } from '../../worker/evaluate.ts';
import { wasmKernel } from '../../worker/wasm/kernel.ts';
import { naiveConvWat } from '../../testkit/naive-conv-wat.ts';
import { sourceJob } from '../worker/jobs.ts';
import { convHostileCorpus } from './corpus/conv-hostile.ts';

const problem = problemFrom('conv2d', 'n1h8w8c8k8r3s3', { stride: 1, pad: 'valid' }) as Conv2dProblem;

const builder =
  (wat: (p: Conv2dProblem) => string): KernelBuilder =>
  (p: Problem) =>
    wasmKernel(p, wat(p as Conv2dProblem));

/** The whole harness a worker runs, edge shapes included (the builder generates the kernel for each). */
async function evaluate(wat: (p: Conv2dProblem) => string) {
  const text = wat(problem);
  return evaluateKernel({
    job: sourceJob(text, { problem, genome: { op: 'conv2d', backend: 'wasm', family: 'source', language: 'wat', text } }),
    build: builder(wat),
    buildBaseline: builder(naiveConvWat),
    device: await cpuDeviceClass(),
    source: { language: 'wat', text },
    worker: 'test',
    precision: 'f32',
  });
}

describe('the hostile convolution corpus, through the whole harness', () => {
  it('accepts the honest kernel the corpus is spliced from', async () => {
    const result = await evaluate(naiveConvWat);
    expect(result.status, result.reason).toBe('ok');
  });

  it.each(convHostileCorpus.map((h) => [h.name, h] as const))('rejects "%s" at the stage meant to catch it', async (_, hostile) => {
    const result = await evaluate(hostile.wat);
    expect(result.status, `accepted: ${hostile.trick}`).toBe('rejected');
    expect(result.stage, result.reason).toBe(hostile.stage);
    expect(result.reason).toMatch(hostile.reason);
  });
});
