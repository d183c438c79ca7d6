/**
 * Convolutions on one thread, WASM SIMD (`npm run bench:conv [-- --quick] [-- --train-step]`):
 * one embedded campaign finds kevo's best kernel for every layer and pass,
 * each is exported and called through its module's run() as a user calls it,
 * and timed interleaved against the tfjs kernel for the same pass on the same
 * inputs: XNNPACK (tfjs-backend-wasm) where the wasm backend has the kernel,
 * tfjs's JavaScript CPU kernel where it falls back (printed, not in the ratio).
 * --train-step times a whole training step of a 4-layer DS-CNN-like net.
 * --i16 instead times kevo's best i16 (dynamic fixed point) kernel against
 * kevo's best f32 kernel for the same layer and pass (bench/lib/conv-i16.ts).
 * --winograd times only the 3x3 stride-1 layer's forward pass: the best direct
 * kernel (f32 contract), the best Winograd kernel (its f32-norm contract's
 * campaign) and XNNPACK, interleaved.
 */
import { parseArgs } from 'node:util';
import type { CampaignSpecInput } from '../coordinator/spec.ts';
import { opFor, type Problem } from '../genome/ops/index.ts';
import { Rng } from '../lib/rng.ts';
import { disagreement } from './lib/agreement.ts';
import { campaignBest, type CampaignBest } from './lib/campaign-best.ts';
import { measure, medianGflops, pairedRatio } from './lib/timing.ts';
import { tfjsConv, tfjsKernelFor, type ConvLayer, type ConvPass } from './lib/tfjs-conv.ts';
import { trainStep } from './lib/train-step.ts';
import { i16Table } from './lib/conv-i16.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'train-step': { type: 'boolean', default: false },
    i16: { type: 'boolean', default: false },
    winograd: { type: 'boolean', default: false },
  },
});
const log = (line: string) => process.stderr.write(`${line}\n`);

const conv = (h: number, w: number, c: number, k: number, r: number, stride: 1 | 2): ConvLayer => ({ depthwise: false, n: 1, h, w, c, k, r, s: r, stride, pad: 'same' });
const depthwise = (h: number, w: number, c: number, stride: 1 | 2): ConvLayer => ({ depthwise: true, n: 1, h, w, c, k: c, r: 3, s: 3, stride, pad: 'same' });

/** The layer table. */
const LAYERS: { name: string; layer: ConvLayer }[] = [
  { name: '32x32x16->32 3x3 s1', layer: conv(32, 32, 16, 32, 3, 1) },
  { name: '16x16x32->64 3x3 s2', layer: conv(16, 16, 32, 64, 3, 2) },
  { name: '16x16x64->64 1x1', layer: conv(16, 16, 64, 64, 1, 1) },
  { name: 'dw 3x3 32x32x32', layer: depthwise(32, 32, 32, 1) },
];

/** A DS-CNN-like net: a 3x3 convolution, then depthwise-separable blocks (depthwise 3x3, pointwise 1x1). */
const NET: ConvLayer[] = [conv(32, 32, 16, 32, 3, 1), depthwise(32, 32, 32, 2), conv(16, 16, 32, 64, 1, 1), depthwise(16, 16, 64, 1)];

const OPS: Record<'conv' | 'dw', Record<Exclude<ConvPass, 'forward-fused'>, string>> = {
  conv: { forward: 'conv2d', 'bwd-data': 'conv2d-bwd-data', 'bwd-weights': 'conv2d-bwd-weights' },
  dw: { forward: 'dwconv2d', 'bwd-data': 'dwconv2d-bwd-data', 'bwd-weights': 'dwconv2d-bwd-weights' },
};

/** The campaign spec's problem entry for a layer's pass (fused: bias + relu, as tf.fused.conv2d). */
function problemEntry(l: ConvLayer, pass: ConvPass) {
  const op = OPS[l.depthwise ? 'dw' : 'conv'][pass === 'forward-fused' ? 'forward' : pass];
  const shape = l.depthwise ? `n${l.n}h${l.h}w${l.w}c${l.c}r${l.r}s${l.s}` : `n${l.n}h${l.h}w${l.w}c${l.c}k${l.k}r${l.r}s${l.s}`;
  return { op, shape, stride: l.stride, pad: l.pad, ...(pass === 'forward-fused' ? { epilogue: ['bias', 'relu'] } : {}) };
}

if (args.i16) {
  await i16Table(
    [LAYERS[0]!].flatMap(({ name, layer }) => (['forward', 'bwd-weights'] as const).map((pass) => ({ name, pass, entry: problemEntry(layer, pass) }))),
    args.quick ? 6 : 12,
    log,
  );
  process.exit(0);
}

const PASSES: ConvPass[] = ['forward', 'forward-fused', 'bwd-data', 'bwd-weights'];
const rows = LAYERS.flatMap(({ name, layer }) => PASSES.filter((p) => p !== 'forward-fused' || !layer.depthwise).map((pass) => ({ name, layer, pass })));
const entries = new Map<string, ReturnType<typeof problemEntry>>();
for (const l of [...LAYERS.map((x) => x.layer), ...(args['train-step'] ? NET : [])]) {
  for (const pass of PASSES) if (pass !== 'forward-fused' || !l.depthwise) entries.set(JSON.stringify(problemEntry(l, pass)), problemEntry(l, pass));
}

const spec: Omit<CampaignSpecInput, 'db'> = {
  name: 'bench:conv',
  problems: [...entries.values()],
  backend: 'wasm',
  strategy: 'genetic',
  budget: { evaluations: args.quick ? 6 : 16 },
};
if (args.winograd) {
  await winogradRow(LAYERS[0]!);
  process.exit(0);
}
log(`campaign over ${entries.size} problems, ${spec.budget!.evaluations} evaluations each`);
const { bests, close } = await campaignBest(spec, log);
// campaignBest answers in the spec's problem order.
const bestByEntry = new Map([...entries.keys()].map((key, i) => [key, bests[i]!]));
const bestFor = (entry: ReturnType<typeof problemEntry>): CampaignBest => bestByEntry.get(JSON.stringify(entry))!;

/** The same random inputs for kevo and tfjs, in the op's ABI order (which is tfjs's order for every pass). */
function inputsFor(problem: Problem, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return opFor(problem)
    .inputs(problem)
    .map((t) => Float32Array.from({ length: t.dims.reduce((a, b) => a * b, 1) }, () => rng.normal()));
}


/**
 * The 3x3 stride-1 layer's forward pass: the direct and Winograd bests of one
 * campaign under the f32-norm contract (an accuracy contract is no part of a
 * problem's key: both algorithms' results share it) beside XNNPACK.
 */
async function winogradRow({ name, layer }: (typeof LAYERS)[number]): Promise<void> {
  const norm = { ...problemEntry(layer, 'forward'), accuracy: 'f32-norm' as const };
  const runSpec = { ...spec, name: 'bench:conv --winograd', problems: [norm] };
  log(`campaign over ${name} under f32-norm, ${spec.budget!.evaluations} evaluations`);
  const { bests, close } = await campaignBest(runSpec, log, ['direct', 'winograd']);
  const inputs = inputsFor(bests[0]!.problem, 7);
  const contenders = [bests[0]!.contender('kevo direct', inputs), bests[1]!.contender('kevo winograd', inputs)];
  const peer = await tfjsConv(layer, 'forward', inputs);
  for (const c of contenders) {
    const off = disagreement(c.output(), peer.output());
    if (!(off < 1e-4)) throw new Error(`${name}: ${c.name} and ${peer.name} disagree (max relative difference ${off.toExponential(2)})`);
  }
  const samples = await measure([...contenders, peer], { rounds: args.quick ? 3 : 7, sampleMs: 40 });
  console.log(`\n${name} forward, one thread, GFLOP/s (direct FLOPs; each algorithm's best of one ${spec.budget!.evaluations}-evaluation campaign, exported run())\n`);
  console.log('| kernel | genome | GFLOP/s | / XNNPACK | / kevo direct |');
  console.log('|---|---|---|---|---|');
  for (const [c, best] of [[contenders[0]!, bests[0]!], [contenders[1]!, bests[1]!]] as const) {
    const genome = JSON.stringify(best.best.genome).replaceAll('|', '/');
    console.log(`| ${c.name} | ${genome} | ${gf(medianGflops(samples, c.name))} | ${pairedRatio(samples, c.name, peer.name).toFixed(2)}x | ${pairedRatio(samples, c.name, contenders[0]!.name).toFixed(2)}x |`);
  }
  console.log(`| ${peer.name} (${peer.backend}) | - | ${gf(medianGflops(samples, peer.name))} | 1.00x | ${pairedRatio(samples, peer.name, contenders[0]!.name).toFixed(2)}x |`);
  close();
}

/** GFLOP/s to print: tfjs's JavaScript fallbacks run at hundredths of one. */
function gf(x: number): string {
  return x >= 1 ? x.toFixed(1) : x.toPrecision(2);
}

const table: string[] = [];
const goals: { name: string; ratio: number; goal: number }[] = [];
for (const { name, layer, pass } of rows) {
  const best = bestFor(problemEntry(layer, pass));
  const inputs = inputsFor(best.problem, 7);
  const kevo = best.contender('kevo (exported run)', inputs);
  const peer = await tfjsConv(layer, pass, inputs);
  const off = disagreement(kevo.output(), peer.output());
  if (!(off < 1e-4)) throw new Error(`${name} ${pass}: kevo and ${peer.name} disagree (max relative difference ${off.toExponential(2)})`);
  const samples = await measure([kevo, peer], { rounds: args.quick ? 3 : 7, sampleMs: 40 });
  const ratio = pairedRatio(samples, kevo.name, peer.name);
  const counted = peer.backend === 'wasm';
  if (counted) goals.push({ name: `${name} ${pass}`, ratio, goal: pass.startsWith('forward') ? 1.3 : 1.5 });
  const algorithm = (best.best.genome as { algorithm?: string }).algorithm ?? 'direct';
  table.push(
    `| ${name} | ${pass} | ${algorithm} | ${gf(medianGflops(samples, kevo.name))} | ${gf(medianGflops(samples, peer.name))} | ${tfjsKernelFor(layer, pass).kernel} (${peer.backend}) | ${ratio.toFixed(2)}x${counted ? '' : ' (not counted: CPU fallback)'} | ${best.best.speedup.toFixed(2)}x |`,
  );
  log(table.at(-1)!);
}

console.log(`\nConvolutions, one thread, GFLOP/s (kevo's best kernel of a ${spec.budget!.evaluations}-evaluation campaign per problem, called through its exported run())\n`);
console.log('| layer | pass | kevo algorithm | kevo | tfjs | tfjs kernel | kevo / tfjs | kevo / kevo baseline |');
console.log('|---|---|---|---|---|---|---|---|');
for (const row of table) console.log(row);
console.log('\nGoals (forward >= 1.3x XNNPACK, backward >= 1.5x tfjs-wasm, where the wasm backend has the kernel):');
for (const g of goals) console.log(`  ${g.name}: ${g.ratio.toFixed(2)}x (goal ${g.goal}x) ${g.ratio >= g.goal ? 'met' : 'NOT met'}`);

if (args['train-step']) {
  const passes = (['forward', 'bwd-data', 'bwd-weights'] as const).map((pass) => NET.map((layer) => ({ layer, pass, best: bestFor(problemEntry(layer, pass)) })));
  const step = await trainStep(NET, passes.flat(), log);
  const samples = await measure([step.kevo, step.tfjs], { rounds: args.quick ? 3 : 7, sampleMs: 60 });
  const ratio = pairedRatio(samples, step.kevo.name, step.tfjs.name);
  console.log(`\nTraining step of a 4-layer DS-CNN-like net (forward + bwd-data + bwd-weights of every layer, ${(step.kevo.flops / 1e6).toFixed(1)} MFLOP):`);
  console.log(`  kevo ${gf(medianGflops(samples, step.kevo.name))} GFLOP/s, ${step.tfjs.name} ${gf(medianGflops(samples, step.tfjs.name))} GFLOP/s: ${ratio.toFixed(2)}x (goal 1.5x) ${ratio >= 1.5 ? 'met' : 'NOT met'}`);
}
close();
