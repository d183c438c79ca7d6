import { Rng } from '../../lib/rng.ts';
import { disagreement } from './agreement.ts';
import type { CampaignBest } from './campaign-best.ts';
import type { Contender } from './timing.ts';
import { convFlops, readResident, release, resident, shapes, tfjsPass, type ConvLayer, type ConvPass, type Resident } from './tfjs-conv.ts';

type StepPass = { readonly layer: ConvLayer; readonly pass: Exclude<ConvPass, 'forward-fused'>; readonly best: CampaignBest };

const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/**
 * One training step of a chain of convolution layers, as two contenders on
 * the same input, weights and loss gradient: the forward pass of every layer
 * (each layer's output the next one's input), then from the last layer back,
 * each layer's weight gradient and its input gradient (which is the gradient
 * of the layer before). kevo calls each pass's exported kernel; tfjs runs
 * each pass's kernel on the backend that has it, moving tensors where a pass
 * falls back to the CPU backend, as a wasm-backed model does.
 */
export async function trainStep(net: readonly ConvLayer[], passes: readonly StepPass[], log: (line: string) => void): Promise<{ kevo: Contender; tfjs: Contender }> {
  const find = (layer: ConvLayer, pass: StepPass['pass']) => passes.find((p) => p.layer === layer && p.pass === pass)!.best;
  const rng = new Rng(3);
  const random = (dims: readonly number[]) => Float32Array.from({ length: size(dims) }, () => rng.normal() * 0.5);
  const x0 = random(shapes(net[0]!).x);
  const weights = net.map((l) => random(shapes(l).w));
  const lossGradient = random(shapes(net.at(-1)!).y);
  const flops = net.reduce((sum, l) => sum + 3 * convFlops(l), 0);

  const kevoOutputs = net.map((l) => ({ y: find(l, 'forward').newOutput(), dW: find(l, 'bwd-weights').newOutput(), dX: find(l, 'bwd-data').newOutput() }));
  const kevoStep = () => {
    const xs: ArrayLike<number>[] = [x0];
    net.forEach((l, i) => xs.push(find(l, 'forward').run([xs[i]!, weights[i]!], kevoOutputs[i]!.y)));
    let gradient: ArrayLike<number> = lossGradient;
    for (let i = net.length - 1; i >= 0; i--) {
      find(net[i]!, 'bwd-weights').run([xs[i]!, gradient], kevoOutputs[i]!.dW);
      gradient = find(net[i]!, 'bwd-data').run([gradient, weights[i]!], kevoOutputs[i]!.dX);
    }
    return gradient;
  };

  const tfjs = await Promise.all(net.map(async (l) => ({ forward: await tfjsPass(l, 'forward'), dW: await tfjsPass(l, 'bwd-weights'), dX: await tfjsPass(l, 'bwd-data') })));
  const residentWeights = net.map((l, i) => resident('wasm', weights[i]!, shapes(l).w));
  const residentX0 = resident('wasm', x0, shapes(net[0]!).x);
  const residentLoss = resident('wasm', lossGradient, shapes(net.at(-1)!).y);
  const tfjsStep = () => {
    const made: Resident[] = [];
    const keep = (t: Resident) => (made.push(t), t);
    const xs: Resident[] = [residentX0];
    net.forEach((_, i) => xs.push(keep(tfjs[i]!.forward.run([xs[i]!, residentWeights[i]!]))));
    let gradient = residentLoss;
    for (let i = net.length - 1; i >= 0; i--) {
      keep(tfjs[i]!.dW.run([xs[i]!, gradient]));
      gradient = keep(tfjs[i]!.dX.run([gradient, residentWeights[i]!]));
    }
    const out = readResident(gradient);
    made.forEach(release);
    return out;
  };

  const fallbacks = tfjs.flatMap((t, i) => [t.forward, t.dW, t.dX].filter((p) => p.backend === 'cpu').map((p) => `layer ${i + 1} ${p.kernel}`));
  log(`tfjs step: ${fallbacks.length} of ${net.length * 3} passes fall back to the CPU backend (${fallbacks.join(', ')})`);
  const got = kevoStep();
  const want = tfjsStep();
  const off = disagreement(got, want);
  if (!(off < 1e-3)) throw new Error(`the two training steps disagree: input gradient off by ${off.toExponential(2)} relative`);

  const timed = (name: string, step: () => unknown): Contender => ({
    name,
    flops,
    async time(times) {
      const start = performance.now();
      for (let t = 0; t < times; t++) step();
      return (performance.now() - start) / times;
    },
  });
  return { kevo: timed('kevo training step', kevoStep), tfjs: timed('tfjs training step (wasm + CPU fallback)', tfjsStep) };
}
