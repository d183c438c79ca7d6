import { afterAll, describe, expect, it } from 'vitest';
import { familyFor } from '../../../genome/families/registry.ts';
import { WebgpuLaunch } from '../../../genome/families/launch.ts';
import type { Genome } from '../../../genome/genome.ts';
import { opFor, parseProblem, type Problem } from '../../../genome/ops/index.ts';
import type { ConvProblem } from '../../../genome/ops/conv/problem.ts';
import { convWgsl } from '../../../genome/webgpu/conv/codegen.ts';
import type { ConvWebgpuGenome } from '../../../genome/webgpu/conv/genome.ts';
import { webgpuConvF16Space } from '../../../genome/webgpu/conv/f16.ts';
import { webgpuConvSpace } from '../../../genome/webgpu/conv/space.ts';
import { Rng } from '../../../lib/rng.ts';
import { PROTOCOL_VERSION, type KernelJob } from '../../../protocol/job.ts';
import { checkOutput } from '../../../verifiers/compare.ts';
import { drawInputs } from '../../../verifiers/inputs.ts';
import { GpuProcess } from '../../../worker/webgpu/process.ts';
import { describeGpu } from '../../worker/webgpu/support.ts';

const OPS = ['conv2d', 'conv2d-bwd-data', 'conv2d-bwd-weights', 'dwconv2d', 'dwconv2d-bwd-data', 'dwconv2d-bwd-weights'] as const;
/** The odd shape: nothing a multiple of a vector or a tile, stride 2, same padding. */
const odd = (op: string, extra: Record<string, unknown> = {}): Problem =>
  parseProblem({ op, shape: { n: 1, h: 13, w: 11, c: 7, ...(op.startsWith('dw') ? {} : { k: 9 }), r: 3, s: 3 }, stride: 2, pad: 'same', ...extra });
const caps = { features: [], limits: { maxComputeWorkgroupStorageSize: 32768 } };
/** lavapipe's: shader-f16 and 32 KiB of workgroup memory. */
const f16Caps = { ...caps, features: ['shader-f16'] };
const device = { id: 'gpu', label: 'test', facts: { backend: 'webgpu' as const, ...caps, vendor: 'x', architecture: 'x', device: 'x', description: 'x', fallback: true } };

describe('the WebGPU convolution families (pure)', () => {
  it.each(OPS)('%s: seeds and samples pass the space check and generate WGSL covering the output', (op) => {
    const problem = odd(op) as ConvProblem;
    const space = webgpuConvSpace(problem, caps);
    const seeds = space.seeds!();
    expect(seeds.length).toBe(op.startsWith('dw') ? 1 : 2);
    const rng = new Rng(5);
    const genomes = [...seeds, ...Array.from({ length: 40 }, () => space.sample(rng)), ...seeds.map((g) => space.mutate(g, rng))];
    const launch = WebgpuLaunch.parse(familyFor(op, 'webgpu').code(seeds[0]!, problem).launch);
    const out = launch.tensors.at(-1)!.dims;
    for (const g of genomes) {
      expect(space.check(g), JSON.stringify(g)).toBeNull();
      const k = convWgsl(g, problem);
      expect(Math.ceil(out.at(-1)! / k.tile.cols) * k.tile.cols).toBeGreaterThanOrEqual(out.at(-1)!);
    }
    expect(launch.dispatch[0] * launch.tile.cols).toBeGreaterThanOrEqual(out.at(-1)!);
    expect(launch.dispatch[1] * launch.tile.rows).toBeGreaterThanOrEqual(out.slice(0, -1).reduce((a, b) => a * b, 1));
  });

  it('refuses what codegen cannot honour, and repairs it', () => {
    const dw = odd('dwconv2d') as ConvProblem;
    const [seed] = webgpuConvSpace(dw, caps).seeds!() as [ConvWebgpuGenome];
    expect(() => convWgsl({ ...seed, algorithm: 'gemm' }, dw)).toThrow(/depthwise convolution is no GEMM/);
    expect(webgpuConvSpace(dw, caps).repair({ ...seed, algorithm: 'gemm' })?.algorithm).toBe('direct');
    const conv = odd('conv2d') as ConvProblem;
    const [direct] = webgpuConvSpace(conv, caps).seeds!() as [ConvWebgpuGenome];
    expect(webgpuConvSpace(conv, caps).check({ ...direct, workgroupX: 64, workgroupY: 64 })).toMatch(/over the adapter's 256/);
  });

  it('stages a forward direct loop\'s input band with its halo in workgroup memory, and refuses it where there is no input band', () => {
    for (const op of ['conv2d', 'dwconv2d']) {
      const problem = odd(op) as ConvProblem;
      const space = webgpuConvSpace(problem, caps);
      const halo = space.repair({ ...space.seeds!()[0]!, algorithm: 'direct', workgroupMemory: true, kTile: 4 })!;
      expect(halo).toMatchObject({ algorithm: 'direct', workgroupMemory: true });
      expect(space.check(halo)).toBeNull();
      const { wgsl } = convWgsl(halo, problem);
      expect(wgsl).toMatch(/var<workgroup> Hs: array<f32, \d+>;/);
      // Staged once per chunk, then the taps read the band: no global loads of X in the compute loop.
      expect(wgsl.split('workgroupBarrier();').length - 1).toBe(op === 'conv2d' ? 2 : 1);
      expect(wgsl.slice(wgsl.lastIndexOf('workgroupBarrier();', wgsl.indexOf('let pa0'))).match(/\bA\[/g)).toBeNull();
      expect(space.descriptor(halo)[0]).toBe('direct-staged');
    }
    const bwd = odd('conv2d-bwd-data') as ConvProblem;
    const [direct] = webgpuConvSpace(bwd, caps).seeds!() as [ConvWebgpuGenome];
    expect(() => convWgsl({ ...direct, workgroupMemory: true }, bwd)).toThrow(/only forward convolutions/);
    expect(webgpuConvSpace(bwd, caps).repair({ ...direct, workgroupMemory: true })?.workgroupMemory).toBe(false);
  });

  it('f16 tensors: array<f16> or packed storage, f16 sums only where shader-f16 and the accuracy contract allow', () => {
    const problem = odd('conv2d', { dtype: 'f16', accuracy: 'f16' });
    const withF16 = webgpuConvF16Space(problem as ConvProblem, f16Caps);
    expect(withF16.seeds!().map((g) => [g.storage, g.precision])).toEqual([['f16', 'f32'], ['packed', 'f32'], ['f16', 'f32'], ['packed', 'f32'], ['f16', 'f16']]);
    const without = webgpuConvF16Space(problem as ConvProblem, caps);
    expect(without.seeds!().every((g) => g.storage === 'packed')).toBe(true);
    expect(without.check({ ...without.seeds!()[0]!, precision: 'f16' })).toMatch(/shader-f16/);
    const [f16Storage] = withF16.seeds!();
    expect(familyFor('conv2d', 'webgpu', 'f16').code(f16Storage!, problem).text).toMatch(/^enable f16;$[\s\S]*var<storage, read> A: array<f16>/m);
    const baseline = familyFor('conv2d', 'webgpu', 'f16').baseline(problem).text;
    expect(baseline).not.toMatch(/enable f16/);
    expect(baseline).toMatch(/array<atomic<u32>>[\s\S]*unpack2x16float/);
    expect(WebgpuLaunch.parse(familyFor('conv2d', 'webgpu', 'f16').baseline(problem).launch).tensors.map((t) => t.dtype)).toEqual(['f16', 'f16', 'f16']);
  });

  it('offers the epilogue gene to conv2d with an epilogue only, and binds X, W, bias, R, then Y', () => {
    const fused = odd('conv2d', { epilogue: ['bias', 'relu', 'residual'] });
    const space = webgpuConvSpace(fused as ConvProblem, caps);
    expect(space.seeds!().map((g) => g.epilogue)).toEqual(['fused', 'fused']);
    const launch = WebgpuLaunch.parse(familyFor('conv2d', 'webgpu').baseline(fused).launch);
    expect(launch.tensors.map((t) => [t.name, t.dims])).toEqual([['X', [1, 13, 11, 7]], ['W', [3, 3, 7, 9]], ['bias', [9]], ['R', [1, 7, 6, 9]], ['Y', [1, 7, 6, 9]]]);
    expect(launch.passes?.map((p) => p.entry)).toEqual(['bias_pass', 'activation_pass', 'residual_pass']);
  });
});

/** A job takes ~3 s on lavapipe alone, many times that on two cores other suites load. */
const GPU_TEST_MS = 240_000;
let jobs = 0;
const job = (problem: Problem, genome: Genome): KernelJob => ({
  v: PROTOCOL_VERSION,
  kind: 'kernel',
  jobId: `conv-webgpu-${++jobs}`,
  campaignId: 'test',
  problem,
  genome,
  seed: jobs,
  budgets: { deadlineMs: 120_000, timingMs: 1, minSamples: 1, maxSamples: 1 },
  verifyOnly: true,
});

describeGpu('the WebGPU convolution families through the harness', () => {
  const gpu = new GpuProcess();
  const gpuDevice = { ...device, facts: { ...device.facts, ...f16Caps } };
  afterAll(async () => {
    gpu.kill();
    await gpu.exit();
  });

  /** The whole harness in the GPU child (smoke, shapes, numerics with NaN and Inf, edges at both strides and paddings). */
  async function verdict(problem: Problem, genome: Genome): Promise<string> {
    const outcome = await gpu.request({ type: 'job', job: job(problem, genome), worker: 'test' }, 120_000);
    if (outcome.kind !== 'reply' || outcome.reply.type !== 'result') return `GPU process: ${JSON.stringify(outcome)}`;
    const { result } = outcome.reply;
    return result.status === 'ok' ? 'ok' : `${result.status}: ${result.reason}`;
  }

  /** The baseline's text, as a source genome: the harness judges it as it judges any kernel. */
  const baseline = (problem: Problem): Genome => {
    const code = familyFor(problem.op, 'webgpu', problem.dtype).baseline(problem);
    return { op: problem.op, backend: 'webgpu', family: 'source', language: 'wgsl', text: code.text, tile: WebgpuLaunch.parse(code.launch).tile };
  };

  it.each(OPS)('%s: every seed and the baseline verify on the odd shape', async (op) => {
    const problem = odd(op);
    for (const g of familyFor(op, 'webgpu').space(problem, device).seeds!()) expect(await verdict(problem, g), JSON.stringify(g)).toBe('ok');
    expect(await verdict(problem, baseline(problem)), 'baseline').toBe('ok');
  }, GPU_TEST_MS);

  // i16 (words of two halves in, i32 sums out): one job each, the last seed being the staged implicit GEMM where the op has one, direct elsewhere.
  it.each(OPS)('%s --dtype i16: the last seed verifies on the odd shape (integer extremes: the sums wrap)', async (op) => {
    const problem = odd(op, { dtype: 'i16' });
    const seed = familyFor(op, 'webgpu', 'i16').space(problem, device).seeds!().at(-1)!;
    expect(await verdict(problem, seed), JSON.stringify(seed)).toBe('ok');
    if (op === 'conv2d-bwd-data') expect(await verdict(problem, baseline(problem)), 'baseline').toBe('ok');
  }, GPU_TEST_MS);

  it.each(OPS)('%s f16: the first seed (array<f16>, f32 sums) verifies on the odd shape', async (op) => {
    const problem = odd(op, { dtype: 'f16' });
    const [seed] = familyFor(op, 'webgpu', 'f16').space(problem, gpuDevice).seeds!();
    expect(await verdict(problem, seed!), JSON.stringify(seed)).toBe('ok');
  }, GPU_TEST_MS);

  it('f16 conv2d: the packed baseline, f16 sums under an f16 contract, and a packed halo-staged kernel verify', async () => {
    const problem = odd('conv2d', { dtype: 'f16', accuracy: 'f16' });
    const space = webgpuConvF16Space(problem as ConvProblem, f16Caps);
    const f16Math = space.seeds!().find((g) => g.precision === 'f16')!;
    expect(await verdict(problem, f16Math), JSON.stringify(f16Math)).toBe('ok');
    const halo = space.repair({ ...f16Math, algorithm: 'direct', workgroupMemory: true, storage: 'packed', precision: 'f32', kTile: 4 })!;
    expect(halo).toMatchObject({ workgroupMemory: true, storage: 'packed' });
    expect(await verdict(problem, halo), JSON.stringify(halo)).toBe('ok');
    expect(await verdict(problem, baseline(problem)), 'baseline').toBe('ok');
  }, GPU_TEST_MS);

  it.each(['conv2d', 'dwconv2d'])('%s with its input band and halo staged in workgroup memory verifies (edge shapes at both strides and paddings)', async (op) => {
    const problem = odd(op);
    const space = familyFor(op, 'webgpu').space(problem, gpuDevice);
    const halo = space.repair({ ...space.seeds!()[0]!, workgroupMemory: true, kTile: 4 } as Genome)!;
    expect(halo).toMatchObject({ algorithm: 'direct', workgroupMemory: true });
    expect(await verdict(problem, halo), JSON.stringify(halo)).toBe('ok');
  }, GPU_TEST_MS);

  it('conv2d with bias, relu and residual: fused, as passes, and sampled genomes verify; the baseline (one pass per stage) matches the reference', async () => {
    const problem = odd('conv2d', { epilogue: ['bias', 'relu', 'residual'], stride: 1, pad: 'valid' });
    const space = familyFor('conv2d', 'webgpu').space(problem, device);
    const [direct, staged] = space.seeds!();
    expect(await verdict(problem, direct!)).toBe('ok');
    expect(await verdict(problem, { ...staged!, epilogue: 'pass' } as Genome)).toBe('ok');
    const rng = new Rng(11);
    for (let i = 0; i < 2; i++) expect(await verdict(problem, space.sample(rng))).toBe('ok');
    // A source genome has no extra passes, so the unfused baseline runs once on its own and is compared to the reference.
    const code = familyFor('conv2d', 'webgpu').baseline(problem);
    const launch = WebgpuLaunch.parse(code.launch);
    const rngInputs = new Rng(3);
    const inputs = drawInputs(problem, () => () => rngInputs.normal(), rngInputs, 'normal') as Float32Array[];
    const outcome = await gpu.request({ type: 'run', problem, wgsl: code.text, tile: launch.tile, passes: launch.passes, inputs }, 60_000);
    if (outcome.kind !== 'reply' || outcome.reply.type !== 'outputs') throw new Error(JSON.stringify(outcome));
    const op = opFor(problem);
    const expected = { indices: null, want: op.reference(problem, inputs), magnitude: op.magnitude(problem, inputs) };
    expect(checkOutput(outcome.reply.outputs[0]!, expected, op.tolerance(problem, 'f32'), op.output(problem))).toBeNull();
  }, GPU_TEST_MS);
});
