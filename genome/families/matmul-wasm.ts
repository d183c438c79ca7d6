import { matmul } from '../ops/matmul.ts';
import { baselineWat } from '../wasm/baseline.ts';
import { bPackedAtLoad, matmulWat } from '../wasm/codegen.ts';
import { MatmulWasmGenome } from '../wasm/genome.ts';
import { wasmMatmulSpace } from '../wasm/space.ts';
import { wasmLaunch } from './abi.ts';
import { defineFamily } from './family.ts';

/** Matmul on WASM SIMD: GotoBLAS blocking around an mr x nr register tile (genome/wasm/). */
export const matmulWasm = defineFamily({
  op: matmul,
  backend: 'wasm',
  name: 'tiled',
  genome: MatmulWasmGenome,
  // B packed once at load only where it stays fixed: where it varies, that kernel is a per-call pack the space already has
  space: (problem, device) => wasmMatmulSpace(problem, { relaxedSimd: device.facts.backend === 'wasm' && device.facts.relaxedSimd }, { packBAtLoad: matmul.weightsFixed?.(problem) ?? false }),
  codegen: (genome, problem) => ({ language: 'wat', text: matmulWat(genome, problem), launch: wasmLaunch(problem, undefined, bPackedAtLoad(genome, problem)) }),
  baseline: (problem) => ({ language: 'wat', text: baselineWat(problem), launch: wasmLaunch(problem) }),
  precision: (genome) => (genome.fma ? 'f32-fma' : 'f32'),
  unsupported: (genome, device) =>
    genome.fma && !(device.facts.backend === 'wasm' && device.facts.relaxedSimd)
      ? 'the genome uses f32x4.relaxed_madd (fma) but relaxed SIMD is off on this worker (start it with relaxed SIMD enabled)'
      : null,
  describe: (g) => `${g.mr}x${g.nr} tile, k unroll ${g.kUnroll}${g.addressing === 'bump' ? ' (pointers bumped per step)' : ''}, blocks ${g.mc}/${g.kc}/${g.nc} ${g.loopOrder}${g.packA ? ', packA' : ''}${g.aBroadcast === 'shuffle' ? ' (A shuffled)' : g.aBroadcast === 'k-shuffle' ? ' (A four k a load)' : ''}${g.aLoad === 'preload' ? ' (A preloaded)' : ''}${g.kLoop === 'end' ? ' (k loop to B\'s end)' : ''}${g.packB === 'load' ? ', B packed at load' : g.packB ? ', packB' : ''}${g.fma ? ', fma' : ''}`,
});
