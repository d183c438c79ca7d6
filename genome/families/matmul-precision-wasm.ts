import { numericAccuracy } from '../ops/accuracy.ts';
import { matmul } from '../ops/matmul.ts';
import { baselineWat } from '../wasm/baseline.ts';
import { precisionBytes, precisionWat } from '../wasm/precision/codegen.ts';
import { MatmulPrecisionWasmGenome } from '../wasm/precision/genome.ts';
import { wasmPrecisionSpace } from '../wasm/precision/space.ts';
import { wasmLaunch } from './abi.ts';
import { defineFamily } from './family.ts';
import { matmulInt4Wasm } from './matmul-int4-wasm.ts';
import { matmulInt8Wasm } from './matmul-int8-wasm.ts';
import { matmulWasm } from './matmul-wasm.ts';

/** The family whose genome a precision's kernel is (f16's tile is this family's own). */
const innerFamily = { f32: matmulWasm, i8: matmulInt8Wasm, w4: matmulInt4Wasm } as const;
/** B, the weights, quantized and packed by the prepare entry (b, packed). */
const WEIGHTS = [1];

/**
 * f32 matmul under a numeric accuracy on WASM SIMD, precision a gene
 * (genome/wasm/precision/): f32, or the user's f32 inputs quantized to i8,
 * w4 or f16 (B once at load time, A per call) and multiplied by the int8 /
 * int4 kernels or an f16-storage tile. The harness
 * holds each to the problem's max error, quantization included; the
 * baseline is the f32 one, so speedups compare across precisions and with
 * plain f32 problems. It replaces the tiled family's search only under a
 * numeric accuracy; its genomes compute no other problem.
 */
export const matmulPrecisionWasm = defineFamily({
  op: matmul,
  backend: 'wasm',
  name: 'precision',
  offers: (problem) => (numericAccuracy(problem) === undefined ? false : 'replace'),
  genome: MatmulPrecisionWasmGenome,
  space: (problem, device) => wasmPrecisionSpace(problem, { relaxedSimd: device.facts.backend === 'wasm' && device.facts.relaxedSimd }),
  codegen: (genome, problem) => {
    if (genome.precision === 'f32') return matmulWasm.code(genome.kernel, problem);
    const bytes = precisionBytes(genome, problem);
    return { language: 'wat', text: precisionWat(genome, problem), launch: wasmLaunch(problem, bytes.workspace, { entry: 'prepare', weights: WEIGHTS, packedBytes: bytes.packed }) };
  },
  baseline: (problem) => ({ language: 'wat', text: baselineWat(problem), launch: wasmLaunch(problem) }),
  precision: (genome) => (genome.precision === 'f32' ? matmulWasm.precision(genome.kernel) : genome.precision),
  unsupported: (genome, device) => {
    if (genome.precision !== 'f16') return innerFamily[genome.precision].unsupported(genome.kernel, device);
    return genome.kernel.fma && !(device.facts.backend === 'wasm' && device.facts.relaxedSimd) ? 'the f16 tile uses f32x4.relaxed_madd (fma) but relaxed SIMD is off on this worker' : null;
  },
  describe: (genome) =>
    genome.precision === 'f16'
      ? `f16: ${genome.kernel.mr}x${genome.kernel.nr} tile over f16 B panels, k unroll ${genome.kernel.kUnroll}, f32 math${genome.kernel.fma ? ' (fma)' : ''}`
      : `${genome.precision}${genome.precision === 'w4' ? ` g${genome.group}` : ''}: ${innerFamily[genome.precision].describe(genome.kernel)}`,
});
