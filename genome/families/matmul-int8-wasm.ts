import { matmul } from '../ops/matmul.ts';
import type { MatmulProblem } from '../ops/matmul-problem.ts';
import { int8BaselineWat } from '../wasm/int8/baseline.ts';
import { int8MatmulWat } from '../wasm/int8/codegen.ts';
import { MatmulInt8WasmGenome } from '../wasm/int8/genome.ts';
import { int8WorkspaceBytes, packedB, withOutput } from '../wasm/int8/layout.ts';
import { wasmInt8Space } from '../wasm/int8/space.ts';
import { wasmLaunch } from './abi.ts';
import { defineFamily } from './family.ts';

/**
 * The inputs the load-time step packs: B, and for u8i8 its zero point (subtracted while packing; with narrowB
 * read by run() at the store, from where setWeights() left it).
 * Packing at load always wins: run() is then the old per-call kernel less its packing loop.
 */
const weightsOf = (p: MatmulProblem) =>
  matmul
    .inputs(p)
    .flatMap((t, i) => (t.name === 'B' || t.name === 'b_zero_point' ? [i] : []));

/**
 * Integer matmul (i8, u8i8 = ONNX MatMulInteger, i16 dynamic fixed point mantissas) on WASM SIMD: exact i32
 * accumulation, B packed in k pairs at load time (genome/wasm/int8/); i16 with an i16 output requantizes C32 after the tile loop.
 */
export const matmulInt8Wasm = defineFamily({
  op: matmul,
  backend: 'wasm',
  name: 'int8',
  dtypes: ['i8', 'u8i8', 'i16'],
  genome: MatmulInt8WasmGenome,
  space: (problem) => wasmInt8Space(problem),
  codegen: (genome, problem) => ({
    language: 'wat',
    text: withOutput(int8MatmulWat(genome, problem), problem),
    launch: wasmLaunch(problem, int8WorkspaceBytes(problem), { entry: 'prepare', weights: weightsOf(problem), packedBytes: packedB(genome, problem).bytes }),
  }),
  baseline: (problem) => ({ language: 'wat', text: withOutput(int8BaselineWat(problem), problem), launch: wasmLaunch(problem, int8WorkspaceBytes(problem)) }),
  // Integer outputs are exact: the precision only names the error model, which ints ignore.
  precision: () => 'f32',
  unsupported: () => null,
  describe: (g) => `${g.mr}x${g.nr} tile, ${g.instruction}${g.packA ? ' (A packed)' : ''}${g.narrowB ? ' (B bytes)' : ''}, ${g.c8 ? 'c8: 8 k steps' : 'k pairs'} unrolled ${g.kUnroll}`,
});
