import { matmul } from '../ops/matmul.ts';
import { baselineF16Wat, matmulF16Sizes, matmulF16Wat } from '../wasm/f16/codegen.ts';
import { f16Workspace } from '../wasm/f16/wrap.ts';
import { MatmulF16WasmGenome } from '../wasm/f16/genome.ts';
import { wasmF16Space } from '../wasm/f16/space.ts';
import { wasmLaunch } from './abi.ts';
import { defineFamily } from './family.ts';

/** f16 storage on WASM SIMD: f16 bits widened to f32, the f32 tiled kernel, C narrowed back with round-to-nearest-even (genome/wasm/f16/). */
export const matmulF16Wasm = defineFamily({
  op: matmul,
  backend: 'wasm',
  name: 'f16',
  dtypes: ['f16'],
  genome: MatmulF16WasmGenome,
  space: (problem, device) => wasmF16Space(problem, { relaxedSimd: device.facts.backend === 'wasm' && device.facts.relaxedSimd }),
  codegen: (genome, problem) => ({ language: 'wat', text: matmulF16Wat(genome, problem), launch: wasmLaunch(problem, f16Workspace(matmulF16Sizes(problem.shape)).bytes) }),
  baseline: (problem) => ({ language: 'wat', text: baselineF16Wat(problem), launch: wasmLaunch(problem, f16Workspace(matmulF16Sizes(problem.shape)).bytes) }),
  precision: (genome) => (genome.fma ? 'f32-fma' : 'f32'),
  unsupported: (genome, device) =>
    genome.fma && !(device.facts.backend === 'wasm' && device.facts.relaxedSimd) ? 'the genome uses f32x4.relaxed_madd (fma) but relaxed SIMD is off on this worker' : null,
  describe: (g) => `f16 storage, f32 math: ${g.mr}x${g.nr} tile, k unroll ${g.kUnroll}, blocks ${g.mc}/${g.kc}/${g.nc} ${g.loopOrder}${g.packA ? ', packA' : ''}${g.packB ? ', packB' : ''}${g.fma ? ', fma' : ''}`,
});
