import { accuracyOf, meetsAccuracy } from '../ops/accuracy.ts';
import { conv2d } from '../ops/conv/ops.ts';
import type { Conv2dProblem } from '../ops/conv/problem.ts';
import { convWat } from '../wasm/conv/codegen.ts';
import { planOf, workspaceFloats } from '../wasm/conv/plan.ts';
import { winogradWat } from '../wasm/winograd/codegen.ts';
import { winogradWasmGenome, type WinogradWasmGenome } from '../wasm/winograd/genome.ts';
import { winogradApplies, winogradLayout } from '../wasm/winograd/layout.ts';
import { winogradSpace } from '../wasm/winograd/space.ts';
import { wasmLaunch } from './abi.ts';
import { convWasmFamilies } from './conv-wasm.ts';
import { defineFamily, type KernelFamily } from './family.ts';

const direct = convWasmFamilies.find((f) => f.op === 'conv2d')!;

/** The direct genome with the same register tile and instructions. */
const asDirect = (g: WinogradWasmGenome) => ({ op: 'conv2d' as const, backend: 'wasm' as const, family: 'direct' as const, tile: g.tile, vectors: g.vectors, unroll: g.unroll, order: 'pixels' as const, fma: g.fma });

/**
 * A problem Winograd does not compute (the harness's stride-2 edge shapes of
 * a stride-1 problem) runs the direct loop with the genome's register tile:
 * one genome is one kernel per shape, right under each.
 */
function code(genome: WinogradWasmGenome, problem: Conv2dProblem) {
  if (winogradApplies(problem)) {
    return { language: 'wat' as const, text: winogradWat(genome, problem), launch: wasmLaunch(problem, winogradLayout(problem, genome.tile).bytes) };
  }
  return { language: 'wat' as const, text: convWat(asDirect(genome), problem), launch: wasmLaunch(problem, 4 * workspaceFloats(planOf(problem))) };
}

/**
 * Winograd F(2x2,3x3) conv2d on WASM SIMD (genome/wasm/winograd/): an
 * alternative to the direct family for 3x3 stride-1 problems whose accuracy
 * contract is f32-norm, the only one its error can keep (precision
 * f32-winograd; genome/ops/conv/winograd.ts). Timed against the direct
 * family's baseline, so speedups of both algorithms rank together.
 */
export const convWinogradWasm: KernelFamily = defineFamily({
  op: conv2d,
  backend: 'wasm',
  name: 'winograd',
  genome: winogradWasmGenome,
  space: (problem, device) => winogradSpace(problem, { relaxedSimd: device.facts.backend === 'wasm' && device.facts.relaxedSimd }),
  codegen: code,
  baseline: (problem) => direct.baseline(problem),
  precision: () => 'f32-winograd',
  // Both algorithms need of the device only what fma needs.
  unsupported: (genome, device) => direct.unsupported(asDirect(genome), device),
  describe: (g) => `winograd F(2x2,3x3), ${g.tile} tiles x ${g.vectors} vectors, unroll ${g.unroll}${g.fma ? ', fma' : ''}`,
  offers: (problem) => (winogradApplies(problem) && meetsAccuracy('f32-winograd', accuracyOf(problem)) ? 'join' : false),
});
