import { afterAll, expect, it } from 'vitest';
import { familyFor } from '../../../genome/families/registry.ts';
import { WebgpuLaunch } from '../../../genome/families/launch.ts';
import type { Genome } from '../../../genome/genome.ts';
import { CONV_OPS, DEPTHWISE_OPS } from '../../../genome/ops/conv/problem.ts';
import { problemFrom, type Problem } from '../../../genome/ops/index.ts';
import { PROTOCOL_VERSION, type KernelJob } from '../../../protocol/job.ts';
import { GpuProcess } from '../../../worker/webgpu/process.ts';
import { describeGpu } from '../../worker/webgpu/support.ts';

const odd = (op: string) => problemFrom(op, op.startsWith('dw') ? 'n1h13w11c7r3s3' : 'n1h13w11c7k9r3s3', { stride: 2, dtype: 'i16' });
const device = { id: 'gpu', label: 'test', facts: { backend: 'webgpu' as const, features: [], limits: { maxComputeWorkgroupStorageSize: 32768 }, vendor: 'x', architecture: 'x', device: 'x', description: 'x', fallback: true } };
/** A job takes seconds on lavapipe alone, many times that on two loaded cores. */
const GPU_TEST_MS = 240_000;

let jobs = 0;
const job = (problem: Problem, genome: Genome): KernelJob => ({
  v: PROTOCOL_VERSION,
  kind: 'kernel',
  jobId: `conv-i16-webgpu-${++jobs}`,
  campaignId: 'test',
  problem,
  genome,
  seed: jobs,
  budgets: { deadlineMs: 120_000, timingMs: 1, minSamples: 1, maxSamples: 1 },
  verifyOnly: true,
});

describeGpu('the WebGPU convolution families on i16 (words of two halves in, i32 sums out)', () => {
  const gpu = new GpuProcess();
  afterAll(async () => {
    gpu.kill();
    await gpu.exit();
  });

  async function verdict(problem: Problem, genome: Genome): Promise<string> {
    const outcome = await gpu.request({ type: 'job', job: job(problem, genome), worker: 'test' }, 120_000);
    if (outcome.kind !== 'reply' || outcome.reply.type !== 'result') return `GPU process: ${JSON.stringify(outcome)}`;
    const { result } = outcome.reply;
    return result.status === 'ok' ? 'ok' : `${result.status}: ${result.reason}`;
  }

  // One job each (seven shapes on lavapipe): the last seed is the staged implicit GEMM where the op has one, direct elsewhere.
  it.each([...CONV_OPS, ...DEPTHWISE_OPS])('%s: the last seed passes the whole harness', async (op) => {
    const problem = odd(op);
    const seed = familyFor(op, 'webgpu', 'i16').space(problem, device).seeds!().at(-1)!;
    expect(await verdict(problem, seed), JSON.stringify(seed)).toBe('ok');
  }, GPU_TEST_MS);

  it('the baseline (direct, one output a thread) passes too: every i16 candidate is timed against it', async () => {
    const problem = odd('conv2d-bwd-data');
    const code = familyFor(problem.op, 'webgpu', 'i16').baseline(problem);
    const baseline: Genome = { op: problem.op, backend: 'webgpu', family: 'source', language: 'wgsl', text: code.text, tile: WebgpuLaunch.parse(code.launch).tile };
    expect(await verdict(problem, baseline)).toBe('ok');
  }, GPU_TEST_MS);
});
