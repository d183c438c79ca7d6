import { matmul } from '../ops/matmul.ts';
import type { MatmulProblem } from '../ops/matmul-problem.ts';
import { int4BaselineWat } from '../wasm/int4/baseline.ts';
import { Int4WasmGenome } from '../wasm/int4/genome.ts';
import { inlineWat, inlineWorkspaceBytes } from '../wasm/int4/inline.ts';
import { packedWBytes, packWat, packWeights, packWorkspaceBytes } from '../wasm/int4/pack.ts';
import type { Int4Kernel } from '../wasm/int4/problem.ts';
import { wasmInt4Space } from '../wasm/int4/space.ts';
import { wasmLaunch } from './abi.ts';
import { defineFamily } from './family.ts';

/** What the 4-bit codegen needs from a w4 / w4a8 matmul problem. */
function int4Kernel(p: MatmulProblem): Int4Kernel {
  if (p.dtype !== 'w4' && p.dtype !== 'w4a8') throw new RangeError(`the int4 family computes w4 and w4a8, not ${p.dtype}`);
  return { ...p.shape, group: p.group ?? 32, dtype: p.dtype, zeroPoints: p.dtype === 'w4' && (p.zeroPoint ?? false) };
}

/**
 * 4-bit matmuls on WASM SIMD (genome/wasm/int4/): B in ONNX Runtime's
 * MatMulNBits layout, dequantized in the inner loop or into f32 at load time.
 * The workspace each kernel needs comes with its launch.
 */
export const matmulInt4Wasm = defineFamily({
  op: matmul,
  backend: 'wasm',
  name: 'int4',
  dtypes: ['w4', 'w4a8'],
  genome: Int4WasmGenome,
  space: (problem, device) => wasmInt4Space(int4Kernel(problem), { relaxedSimd: device.facts.backend === 'wasm' && device.facts.relaxedSimd }),
  codegen: (genome, problem) => {
    const p = int4Kernel(problem);
    return genome.dequant === 'inline'
      ? { language: 'wat', text: inlineWat(genome, p), launch: wasmLaunch(problem, inlineWorkspaceBytes(p, genome)) }
      : {
          language: 'wat',
          text: packWat(genome, p),
          launch: wasmLaunch(problem, packWorkspaceBytes(p), { entry: 'prepare', weights: packWeights(p), packedBytes: packedWBytes(p) }),
        };
  },
  baseline: (problem) => ({ language: 'wat', text: int4BaselineWat(int4Kernel(problem)), launch: wasmLaunch(problem, 0) }),
  precision: (genome) => ((genome.dequant === 'inline' ? genome.relaxed : genome.gemm.fma) ? 'f32-fma' : 'f32'),
  unsupported: (genome, device) => {
    const relaxed = genome.dequant === 'inline' ? genome.relaxed : genome.gemm.fma;
    return relaxed && !(device.facts.backend === 'wasm' && device.facts.relaxedSimd)
      ? 'the genome uses relaxed SIMD but it is off on this worker (start it with relaxed SIMD enabled)'
      : null;
  },
  describe: (g) =>
    g.dequant === 'inline'
      ? `int4 inline ${g.mr}x${g.nr} tile, scale per ${g.scale}, ${g.chains} chain${g.chains > 1 ? 's' : ''}${g.relaxed ? ', relaxed' : ''}`
      : `int4 pack to f32, then ${g.gemm.mr}x${g.gemm.nr} tile, blocks ${g.gemm.mc}/${g.gemm.kc}/${g.gemm.nc}${g.gemm.fma ? ', fma' : ''}`,
});
