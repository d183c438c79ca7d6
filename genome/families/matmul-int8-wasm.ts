import { matmul } from '../ops/matmul.ts';
import { int8BaselineWat } from '../wasm/int8/baseline.ts';
import { int8MatmulWat } from '../wasm/int8/codegen.ts';
import { MatmulInt8WasmGenome } from '../wasm/int8/genome.ts';
import { int8WorkspaceBytes } from '../wasm/int8/layout.ts';
import { wasmInt8Space } from '../wasm/int8/space.ts';
import { wasmLaunch } from './abi.ts';
import { defineFamily } from './family.ts';

/** Integer matmul (i8, u8i8 = ONNX MatMulInteger) on WASM SIMD: exact i32 accumulation, B packed in k pairs (genome/wasm/int8/). */
export const matmulInt8Wasm = defineFamily({
  op: matmul,
  backend: 'wasm',
  name: 'int8',
  dtypes: ['i8', 'u8i8'],
  genome: MatmulInt8WasmGenome,
  space: (problem) => wasmInt8Space(problem),
  codegen: (genome, problem) => ({ language: 'wat', text: int8MatmulWat(genome, problem), launch: wasmLaunch(problem, int8WorkspaceBytes(problem)) }),
  baseline: (problem) => ({ language: 'wat', text: int8BaselineWat(problem), launch: wasmLaunch(problem, int8WorkspaceBytes(problem)) }),
  // Integer outputs are exact: the precision only names the error model, which ints ignore.
  precision: () => 'f32',
  unsupported: () => null,
  describe: (g) => `${g.mr}x${g.nr} tile, ${g.instruction}${g.packA ? ' (A packed)' : ''}, k pairs unrolled ${g.kUnroll}`,
});
