import { numericAccuracy } from '../ops/accuracy.ts';
import { matmul } from '../ops/matmul.ts';
import { baselineWat } from '../wasm/baseline.ts';
import { precisionWat, precisionWorkspaceBytes } from '../wasm/precision/codegen.ts';
import { MatmulPrecisionWasmGenome } from '../wasm/precision/genome.ts';
import { wasmPrecisionSpace } from '../wasm/precision/space.ts';
import { wasmLaunch } from './abi.ts';
import { defineFamily } from './family.ts';
import { matmulInt4Wasm } from './matmul-int4-wasm.ts';
import { matmulInt8Wasm } from './matmul-int8-wasm.ts';
import { matmulWasm } from './matmul-wasm.ts';

/** The family whose genome a precision's kernel is. */
const innerFamily = { f32: matmulWasm, i8: matmulInt8Wasm, w4: matmulInt4Wasm } as const;

/**
 * f32 matmul under a numeric accuracy on WASM SIMD, precision a gene
 * (genome/wasm/precision/): f32, or the user's f32 inputs quantized to i8 or
 * w4 on every call and multiplied by the int8 / int4 kernels. The harness
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
  codegen: (genome, problem) => ({ language: 'wat', text: precisionWat(genome, problem), launch: wasmLaunch(problem, precisionWorkspaceBytes(genome, problem)) }),
  baseline: (problem) => ({ language: 'wat', text: baselineWat(problem), launch: wasmLaunch(problem) }),
  precision: (genome) => (genome.precision === 'f32' ? matmulWasm.precision(genome.kernel) : genome.precision),
  unsupported: (genome, device) => innerFamily[genome.precision].unsupported(genome.kernel, device),
  describe: (genome) => `${genome.precision}${genome.precision === 'w4' ? ` g${genome.group}` : ''}: ${innerFamily[genome.precision].describe(genome.kernel)}`,
});
