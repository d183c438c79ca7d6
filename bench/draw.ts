/**
 * The harness draws its f32 inputs through the dtype module's generators
 * (verifiers/inputs.ts); big problems draw millions. This times that against
 * calling rng.normal() directly, same seeds, interleaved, median of ratios.
 */
import { f32, generator } from '../genome/dtypes/index.ts';
import { Rng } from '../lib/rng.ts';
import { median } from '../lib/stats.ts';

const N = 2 * 1024 * 1024;
function fill(draw: () => number): number {
  const values = new Float32Array(N);
  const t = performance.now();
  for (let i = 0; i < N; i++) values[i] = draw();
  return performance.now() - t;
}
const ratios: number[] = [];
for (let round = 0; round < 15; round++) {
  const rngA = new Rng(round);
  const rngB = new Rng(round);
  const direct = fill(() => rngA.normal());
  const viaDtype = fill(generator(f32, { kind: 'normal' }, rngB));
  ratios.push(viaDtype / direct);
}
console.log(`dtype generator / direct rng.normal, 2M f32 draws, median of 15 interleaved rounds: ${median(ratios).toFixed(3)} [${ratios.map((r) => r.toFixed(2)).join(' ')}]`);
